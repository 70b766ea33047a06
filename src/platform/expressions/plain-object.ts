/**
 * A plain object (`{}` literal, JSON.parse result, Object.create(null)), from any realm: its
 * prototype is null or a root prototype. Class instances, arrays, Dates and Maps are not.
 * (Comparing with this realm's Object.prototype would refuse objects parsed in another realm,
 * e.g. by a driver loaded outside a jest sandbox.)
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}
