/**
 * A memory namespace: an ltree path of labels, e.g. `acme.support.agent42`. PostgreSQL 15 ltree
 * labels are letters, digits and underscores (no hyphens), at most 255 characters each.
 */
export const DEFAULT_NAMESPACE = 'default';
export const MAX_NAMESPACE_LABELS = 64;

const LABEL = /^[A-Za-z0-9_]{1,255}$/;

export class MemoryNamespace {
  /** Why `value` is not a namespace, or null when it is one. */
  static problem(value: string): string | null {
    if (value === '') return 'must not be empty';
    const labels = value.split('.');
    if (labels.length > MAX_NAMESPACE_LABELS) return `must have at most ${MAX_NAMESPACE_LABELS} labels, got ${labels.length}`;
    const bad = labels.find((label) => !LABEL.test(label));
    if (bad === undefined) return null;
    if (bad === '') return `${JSON.stringify(value)} has an empty label (labels are separated by single dots)`;
    return `label ${JSON.stringify(bad.length > 40 ? `${bad.slice(0, 40)}…` : bad)} must be 1–255 letters, digits or underscores (e.g. acme.support.agent42)`;
  }

  static isValid(value: string): boolean {
    return MemoryNamespace.problem(value) === null;
  }
}
