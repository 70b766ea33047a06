import type { ScheduleDefinition } from '../contracts/workflow.types';
import { cronExpressionProblems } from './cron-expression';
import { describe, isRecordLike, readString } from './field-checks';
import type { ProblemList } from './problem-list';

export interface ScheduleInput {
  cron?: string;
  timezone?: string | null;
}

/** The canonical IANA name of a time zone (`utc` → `UTC`), or null when the runtime does not know it. */
export function canonicalTimeZone(timeZone: string): string | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** A cron trigger: five-field expression read in an IANA time zone (UTC when none is given). */
export class Schedule {
  private constructor(
    readonly cron: string,
    readonly timezone: string,
  ) {}

  static fromInput(input: unknown, path: string, problems: ProblemList): Schedule | null {
    if (input === undefined || input === null) return null;
    if (!isRecordLike(input)) {
      problems.add(path, 'INVALID_TYPE', `must be an object {cron, timezone?} or null, got ${describe(input)}`);
      return null;
    }
    let cron: string | undefined;
    if (input.cron === undefined || input.cron === null) problems.add(`${path}.cron`, 'REQUIRED', 'is required');
    else cron = readString(input.cron, `${path}.cron`, problems, { min: 1, max: 255 });
    if (cron !== undefined) {
      for (const message of cronExpressionProblems(cron)) problems.add(`${path}.cron`, 'INVALID_CRON', message);
    }
    let timezone: string | null = 'UTC';
    if (input.timezone !== undefined && input.timezone !== null) {
      const raw = readString(input.timezone, `${path}.timezone`, problems, { min: 1, max: 100 });
      timezone = raw === undefined ? null : canonicalTimeZone(raw);
      if (raw !== undefined && timezone === null) {
        problems.add(`${path}.timezone`, 'INVALID_TIMEZONE', `"${raw}" is not an IANA time zone such as "Europe/Paris"`);
      }
    }
    return cron === undefined || timezone === null ? null : new Schedule(cron.trim().replace(/\s+/g, ' '), timezone);
  }

  static restore(definition: ScheduleDefinition): Schedule {
    return new Schedule(definition.cron, definition.timezone);
  }

  toDefinition(): ScheduleDefinition {
    return { cron: this.cron, timezone: this.timezone };
  }
}
