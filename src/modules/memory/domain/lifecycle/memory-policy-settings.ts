import { describe } from '@cognition/platform/json-schema/json-values';
import { MEMORY_IMPORTANCE, type MemoryImportance, type MemoryPolicyInput } from '../../contracts/memory.types';
import { readImportance, readNamespace } from '../memory-fields';
import { MemoryProblems } from '../memory-problems';

export const MAX_POLICY_NAME_LENGTH = 200;
export const MAX_POLICY_DAYS = 36_500;
export const MAX_POLICY_MEMORIES = 100_000_000;

/** A policy's checked settings, every default applied. */
export interface MemoryPolicySettings {
  name: string;
  namespace: string;
  compressAfterDays: number | null;
  archiveAfterDays: number | null;
  deleteAfterDays: number | null;
  importanceThreshold: MemoryImportance;
  maxMemories: number | null;
  ttlDays: number | null;
  enabled: boolean;
}

/** low = 1 … critical = 4, as stored in `memories.importance_rank`. */
export function importanceRankOf(importance: MemoryImportance): number {
  return MEMORY_IMPORTANCE.indexOf(importance) + 1;
}

function readPositiveInt(value: unknown, path: string, max: number, problems: MemoryProblems): number | null | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value)) return void problems.add(path, 'INVALID_TYPE', `must be a whole number or null, got ${describe(value)}`);
  if (value < 1 || value > max) return void problems.add(path, 'OUT_OF_RANGE', `must be 1–${max} (or null to turn the rule off), got ${value}`);
  return value;
}

/**
 * Checks a policy as a client sent it and applies the defaults (importanceThreshold 'high',
 * enabled true, every rule off). Lists every problem in one 422 VALIDATION_FAILED.
 */
export function readPolicySettings(input: MemoryPolicyInput): MemoryPolicySettings {
  const problems = new MemoryProblems();
  const raw = input as unknown as Record<string, unknown>;
  const name = raw.name;
  if (typeof name !== 'string') problems.add('name', name === undefined || name === null ? 'REQUIRED' : 'INVALID_TYPE', 'is required: a string');
  else if (name.trim() === '') problems.add('name', 'REQUIRED', 'must not be empty');
  else if (name.length > MAX_POLICY_NAME_LENGTH || /\p{Cc}/u.test(name)) problems.add('name', 'INVALID_FORMAT', `must be 1–${MAX_POLICY_NAME_LENGTH} printable characters`);
  const namespace = raw.namespace === undefined || raw.namespace === null ? void problems.add('namespace', 'REQUIRED', 'is required: the subtree the policy governs, e.g. acme.support') : readNamespace(raw.namespace, 'namespace', problems);
  const days = (field: string) => readPositiveInt(raw[field], field, MAX_POLICY_DAYS, problems);
  const settings = {
    compressAfterDays: days('compressAfterDays'),
    archiveAfterDays: days('archiveAfterDays'),
    deleteAfterDays: days('deleteAfterDays'),
    ttlDays: days('ttlDays'),
    maxMemories: readPositiveInt(raw.maxMemories, 'maxMemories', MAX_POLICY_MEMORIES, problems),
    importanceThreshold: raw.importanceThreshold === undefined || raw.importanceThreshold === null ? 'high' : readImportance(raw.importanceThreshold, 'importanceThreshold', problems),
  };
  if (raw.enabled !== undefined && raw.enabled !== null && typeof raw.enabled !== 'boolean') problems.add('enabled', 'INVALID_TYPE', `must be true or false, got ${describe(raw.enabled)}`);
  problems.throwIfAny('policy');
  return {
    name: name as string,
    namespace: namespace as string,
    compressAfterDays: settings.compressAfterDays as number | null,
    archiveAfterDays: settings.archiveAfterDays as number | null,
    deleteAfterDays: settings.deleteAfterDays as number | null,
    ttlDays: settings.ttlDays as number | null,
    maxMemories: settings.maxMemories as number | null,
    importanceThreshold: settings.importanceThreshold as MemoryImportance,
    enabled: (raw.enabled as boolean | undefined | null) ?? true,
  };
}
