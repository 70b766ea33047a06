import { DomainError } from '@cognition/platform/domain';

const SEMVER = /^(0|[1-9]\d{0,14})\.(0|[1-9]\d{0,14})\.(0|[1-9]\d{0,14})$/;

/** A `MAJOR.MINOR.PATCH` version of non-negative integers (no pre-release or build suffix). */
export class SemVer {
  private constructor(
    readonly major: number,
    readonly minor: number,
    readonly patch: number,
  ) {}

  static isValid(value: unknown): value is string {
    return typeof value === 'string' && SEMVER.test(value);
  }

  static tryParse(value: unknown): SemVer | null {
    if (typeof value !== 'string') return null;
    const match = SEMVER.exec(value);
    return match ? new SemVer(Number(match[1]), Number(match[2]), Number(match[3])) : null;
  }

  static parse(value: string): SemVer {
    const parsed = SemVer.tryParse(value);
    if (!parsed) {
      throw new DomainError('VALIDATION_FAILED', `"${value}" is not a version of the form MAJOR.MINOR.PATCH`, [
        { path: 'version', code: 'INVALID_FORMAT', message: 'must be MAJOR.MINOR.PATCH, e.g. 1.2.3' },
      ]);
    }
    return parsed;
  }

  /** Numeric comparison of two versions: negative, zero or positive. */
  static compare(a: string | SemVer, b: string | SemVer): number {
    const left = typeof a === 'string' ? SemVer.parse(a) : a;
    const right = typeof b === 'string' ? SemVer.parse(b) : b;
    return left.compareTo(right);
  }

  compareTo(other: SemVer): number {
    return Math.sign(this.major - other.major || this.minor - other.minor || this.patch - other.patch);
  }

  equals(other: SemVer): boolean {
    return this.compareTo(other) === 0;
  }

  toString(): string {
    return `${this.major}.${this.minor}.${this.patch}`;
  }
}
