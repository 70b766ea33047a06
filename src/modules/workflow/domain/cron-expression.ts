/**
 * Syntax check of a five-field cron expression (minute hour day-of-month month day-of-week), the
 * dialect of Vixie cron: `*`, values, ranges `a-b`, steps `* /n`, `a-b/n` and `a/n`, lists `a,b`,
 * month names JAN-DEC and weekday names SUN-SAT (0 and 7 are Sunday). Quartz extensions
 * (`?`, `L`, `W`, `#`, seconds, years) and `@daily`-style macros are refused.
 */

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

function parseValue(text: string, field: CronField): number | string {
  if (/^\d{1,2}$/.test(text)) {
    const value = Number(text);
    if (value < field.min || value > field.max) {
      return `${field.name} value ${value} is out of range ${field.min}-${field.max}`;
    }
    return value;
  }
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (index >= 0) return field.name === 'month' ? index + 1 : index;
  return `${field.name} has an invalid value "${text}"`;
}

function checkPart(part: string, field: CronField): string | null {
  const match = /^([^/]+)(?:\/(.*))?$/.exec(part);
  if (!match) return `${field.name} has an invalid item "${part}"`;
  const [, base, step] = match;
  if (step !== undefined) {
    if (!/^\d{1,2}$/.test(step) || Number(step) < 1 || Number(step) > field.max) {
      return `${field.name} step "${step}" must be an integer from 1 to ${field.max}`;
    }
  }
  if (base === '*') return null;
  const bounds = base.split('-');
  if (bounds.length > 2) return `${field.name} has an invalid range "${base}"`;
  const values = bounds.map((bound) => parseValue(bound, field));
  const error = values.find((value) => typeof value === 'string');
  if (error !== undefined) return error as string;
  if (values.length === 2 && (values[0] as number) > (values[1] as number)) {
    return `${field.name} range "${base}" starts after it ends`;
  }
  return null;
}

/** Every problem with the expression, as messages; empty when it is valid. */
export function cronExpressionProblems(expression: string): string[] {
  const fields = expression.trim().split(/\s+/).filter((field) => field.length > 0);
  if (fields.length !== FIELDS.length) {
    return [
      `a cron expression has 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}: "${expression}"`,
    ];
  }
  const problems: string[] = [];
  fields.forEach((text, index) => {
    const field = FIELDS[index];
    for (const part of text.split(',')) {
      const problem = part === '' ? `${field.name} has an empty list item` : checkPart(part, field);
      if (problem) problems.push(problem);
    }
  });
  return problems;
}
