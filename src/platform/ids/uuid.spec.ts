import { v7 } from 'uuid';
import { isUuid, stableV7, timeOfV7 } from './uuid';

describe('stable UUIDv7s', () => {
  it('are valid v7 ids, a function of name and time only', () => {
    const a = stableV7('tenant|step|x', 1_764_150_000_123);
    expect(isUuid(a)).toBe(true);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stableV7('tenant|step|x', 1_764_150_000_123)).toBe(a);
    expect(stableV7('tenant|step|y', 1_764_150_000_123)).not.toBe(a);
    expect(stableV7('tenant|step|x', 1_764_150_000_124)).not.toBe(a);
    expect(timeOfV7(a)).toBe(1_764_150_000_123);
  });

  it('read the time of a real v7 and nothing else', () => {
    const before = Date.now();
    const id = v7();
    expect(timeOfV7(id)).toBeGreaterThanOrEqual(before);
    expect(timeOfV7(id)).toBeLessThanOrEqual(Date.now());
    expect(timeOfV7('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    expect(timeOfV7('call-1')).toBeUndefined();
  });
});
