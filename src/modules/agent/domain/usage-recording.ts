import { isUuid } from '@cognition/platform/ids/uuid';
import type { UsageRecording } from '../contracts/agent.commands';
import type { UsageDelta } from './budget';
import { describe, Problems, readNumber } from './problems';

const INT32 = 2_147_483_647;

/** Checks one model or tool call's usage (ranges fit the ledger's columns) and fills the optional fields. */
export function readUsageRecording(value: UsageRecording): Required<UsageRecording> {
  const problems = new Problems();
  const raw = (value ?? {}) as unknown as Record<string, unknown>;
  if (raw.kind !== 'model_call' && raw.kind !== 'tool_call') problems.add('kind', 'INVALID_VALUE', `must be model_call or tool_call, got ${describe(raw.kind)}`);
  if (typeof raw.name !== 'string' || raw.name.trim() === '' || raw.name.length > 200) problems.add('name', 'INVALID_VALUE', `must be a model or tool name of 1–200 characters, got ${describe(raw.name)}`);
  const provider = optionalString(raw.provider, 'provider', problems);
  const taskId = optionalUuid(raw.taskId, 'taskId', problems);
  const runId = optionalUuid(raw.runId, 'runId', problems);
  const tokensIn = readNumber(raw.tokensIn, 'tokensIn', problems, { min: 0, max: INT32, integer: true });
  const tokensOut = readNumber(raw.tokensOut, 'tokensOut', problems, { min: 0, max: INT32, integer: true });
  const costUsd = readNumber(raw.costUsd, 'costUsd', problems, { min: 0, max: 99_999_999 });
  const durationMs = readNumber(raw.durationMs, 'durationMs', problems, { min: 0, max: INT32, integer: true });
  const status = raw.status ?? 'succeeded';
  if (status !== 'succeeded' && status !== 'failed') problems.add('status', 'INVALID_VALUE', `must be succeeded or failed, got ${describe(status)}`);
  let error: { code: string; message: string } | null = null;
  if (raw.error !== undefined && raw.error !== null) {
    const e = raw.error as Record<string, unknown>;
    if (typeof e !== 'object' || typeof e.code !== 'string' || typeof e.message !== 'string') problems.add('error', 'INVALID_TYPE', 'must be {code, message} strings');
    else error = { code: e.code, message: e.message };
  }
  problems.throwIfAny('usage recording');
  return {
    kind: raw.kind as UsageRecording['kind'],
    name: raw.name as string,
    provider,
    taskId,
    runId,
    tokensIn: tokensIn as number,
    tokensOut: tokensOut as number,
    costUsd: costUsd as number,
    durationMs: durationMs as number,
    status: status as 'succeeded' | 'failed',
    error,
  };
}

/** The amounts a recording adds to the agent's totals. A tool call (failed or not) is one tool execution. */
export function deltaOf(usage: Required<UsageRecording>): UsageDelta {
  return {
    tokens: usage.tokensIn + usage.tokensOut,
    costUsd: usage.costUsd,
    timeSeconds: usage.durationMs / 1000,
    toolExecutions: usage.kind === 'tool_call' ? 1 : 0,
  };
}

function optionalString(value: unknown, path: string, problems: Problems): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > 200) {
    problems.add(path, 'INVALID_VALUE', `must be a string of at most 200 characters, got ${describe(value)}`);
    return null;
  }
  return value;
}

function optionalUuid(value: unknown, path: string, problems: Problems): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !isUuid(value)) {
    problems.add(path, 'INVALID_FORMAT', `must be a UUID, got ${describe(value)}`);
    return null;
  }
  return value;
}
