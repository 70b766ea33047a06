import { performance } from 'node:perf_hooks';
import { LIMITS } from '@cognition/platform/limits/limits';
import { ExpressionLimitError } from './expression-error';

/*
 * Limits of one evaluation (docs/operations.md, "Expression limits"). An evaluation is one
 * expression, or one whole template render (every `${{ … }}` of a step's params together).
 *
 * - cost: 1 unit per evaluated AST node (so per comprehension iteration), plus 1 per list element
 *   and 1 per 10 string bytes that `+` or a function builds, plus what `matches` scans;
 * - time: wall time since the evaluation started, checked every CHECK_EVERY units;
 * - size: every string, list or map a building operation returns (`+`, functions, `map`, `filter`,
 *   the accumulator of a comprehension), and the converted result, stays within resultBytes. Strings
 *   count their UTF-8 bytes, lists ITEM_BYTES per element, maps MAP_ENTRY_BYTES per entry; the result
 *   counts its JSON size (shared references counted each time they appear).
 */

export interface ExpressionLimits {
  /** Cost budget in units. */
  cost: number;
  /** Wall-time bound in milliseconds. */
  timeMs: number;
  /** Size bound of any string, list or map built, in bytes. */
  resultBytes: number;
}

/** Estimated bytes of one list element and one map entry (pointers and headers, not contents). */
export const ITEM_BYTES = 8;
export const MAP_ENTRY_BYTES = 16;
/** One cost unit per this many string bytes built. */
export const STRING_BYTES_PER_UNIT = 10;
/** The clock and the budget are checked every this many units. */
const CHECK_EVERY = 32;

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

function limitsFromEnv(): ExpressionLimits {
  return {
    cost: envNumber(LIMITS.expressionCost.env, LIMITS.expressionCost.default),
    timeMs: envNumber(LIMITS.expressionTime.env, LIMITS.expressionTime.default),
    resultBytes: envNumber(LIMITS.expressionResultBytes.env, LIMITS.expressionResultBytes.default),
  };
}

let configured: ExpressionLimits | undefined;

/** The limits in force: the environment variables of the limits table, read once, or what was configured. */
export function expressionLimits(): ExpressionLimits {
  return (configured ??= limitsFromEnv());
}

/** Overrides some limits (tests, an embedding application); without an argument, back to the environment. */
export function configureExpressionLimits(limits?: Partial<ExpressionLimits>): void {
  configured = limits ? { ...limitsFromEnv(), ...limits } : undefined;
}

/** What a string, list or map is, in the messages. */
export type BuiltKind = 'string' | 'list' | 'map' | 'bytes value' | 'result' | 'template';

/** The budget of one evaluation: cost, deadline and sizes. Trips once; afterwards every check throws the same error. */
export class Meter {
  cost = 0;
  /** The cost at which the clock and the budget are checked next. */
  nextCheck: number;
  tripped: ExpressionLimitError | undefined;
  /** When the running program must stop (set by `start`); only time inside programs counts. */
  deadline = Infinity;
  /** Milliseconds of the time limit not yet spent by earlier programs of this evaluation. */
  private timeLeft: number;
  readonly maxItems: number;
  readonly maxEntries: number;
  /** Bytes the converted results of this evaluation may still take (a template shares it across its expressions). */
  bytesLeft: number;

  constructor(readonly limits: ExpressionLimits) {
    this.timeLeft = limits.timeMs;
    this.nextCheck = Math.min(CHECK_EVERY, limits.cost + 1);
    this.maxItems = Math.floor(limits.resultBytes / ITEM_BYTES);
    this.maxEntries = Math.floor(limits.resultBytes / MAP_ENTRY_BYTES);
    this.bytesLeft = limits.resultBytes;
  }

  /** A program starts: the clock runs (converting the context and the result is data-bound, not counted). */
  start(): number {
    const now = performance.now();
    this.deadline = now + this.timeLeft;
    return now;
  }

  /** The program started at `startedAt` ended. */
  stop(startedAt: number): void {
    this.timeLeft -= performance.now() - startedAt;
    this.deadline = Infinity;
  }

  /** Checks the budget and the clock; called when `cost` reached `nextCheck`. */
  check(): void {
    if (this.tripped) throw this.tripped;
    if (this.cost > this.limits.cost) this.trip(`expression exceeded its cost budget of ${this.limits.cost} units`);
    if (performance.now() > this.deadline) this.trip(`expression exceeded its time limit of ${this.limits.timeMs} ms`);
    this.nextCheck = Math.min(this.cost + CHECK_EVERY, this.limits.cost + 1);
  }

  /** Adds cost; checks at once when that crosses the next checkpoint. */
  charge(units: number): void {
    this.cost += units;
    if (this.cost >= this.nextCheck) this.check();
  }

  tooLarge(kind: BuiltKind): never {
    const what = kind === 'result' ? 'produced a result' : kind === 'template' ? 'rendered a template' : `built a ${kind}`;
    return this.trip(`expression ${what} of more than ${this.limits.resultBytes} bytes`);
  }

  trip(message: string): never {
    this.tripped ??= new ExpressionLimitError(message);
    throw this.tripped;
  }

  /**
   * Checks a string, list, map or bytes value an operation just built; `charge` also bills its size
   * (an operation that copies: `+`, a function; not a comprehension's accumulator, billed per push).
   */
  built(value: unknown, charge: boolean): void {
    if (typeof value === 'string') {
      const length = value.length;
      if (length <= 64) return;
      if (charge) this.cost += Math.floor(length / STRING_BYTES_PER_UNIT);
      // UTF-8 takes at least one byte per UTF-16 unit and at most three.
      if (length > this.limits.resultBytes) this.tooLarge('string');
      if (length * 3 > this.limits.resultBytes && Buffer.byteLength(value, 'utf8') > this.limits.resultBytes) this.tooLarge('string');
    } else if (Array.isArray(value)) {
      if (charge) this.cost += value.length;
      if (value.length > this.maxItems) this.tooLarge('list');
    } else if (value instanceof Uint8Array) {
      if (charge) this.cost += Math.floor(value.length / STRING_BYTES_PER_UNIT);
      if (value.length > this.limits.resultBytes) this.tooLarge('bytes value');
    } else if (value instanceof Map) {
      if (charge) this.cost += value.size;
      if (value.size > this.maxEntries) this.tooLarge('map');
    }
  }

  /** Takes bytes of the converted result (or of a template's text) from what is left. */
  takeBytes(bytes: number, kind: BuiltKind): void {
    this.bytesLeft -= bytes;
    if (this.bytesLeft < 0) this.tooLarge(kind);
  }
}

let active: Meter | null = null;

/** The meter of the evaluation in progress, if any (evaluation is synchronous: one at a time). */
export function activeMeter(): Meter | null {
  return active;
}

/** Runs `fn` with `meter` active (restores the previous one after, so nesting is safe). */
export function withMeter<T>(meter: Meter, fn: () => T): T {
  const previous = active;
  active = meter;
  try {
    return fn();
  } finally {
    active = previous;
  }
}
