import fc from 'fast-check';
import { decodeCursor, encodeCursor, toPage } from './cursor';

const ID = '01a23add-4caf-714f-876c-530aec8361b3';
const invalid = expect.objectContaining({ code: 'INVALID_CURSOR' });

describe('keyset cursors', () => {
  it('round-trips a key', () => {
    const cursor = encodeCursor({ workflowId: 'a', version: '1.0.0' });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}$/);
    expect(decodeCursor(cursor, ['workflowId', 'version'])).toEqual({ workflowId: 'a', version: '1.0.0' });
    expect(decodeCursor(encodeCursor({ createdAt: '2026-12-03 07:43:53.123456+00', id: ID }), ['createdAt', 'id'])).toEqual({ createdAt: '2026-12-03 07:43:53.123456+00', id: ID });
    expect(decodeCursor(undefined, ['x'])).toBeUndefined();
    expect(decodeCursor('', ['x'])).toBeUndefined();
  });

  it('rejects garbage, edited and forged cursors with a 400 INVALID_CURSOR', () => {
    const ours = encodeCursor({ id: ID });
    const payloadOnly = ours.slice(0, ours.indexOf('.'));
    const bad = [
      '!!!',
      'garbage',
      payloadOnly, // the pre-tag format, or a cursor cut short
      `${payloadOnly}.AAAAAAAAAAAAAAAA`,
      `${payloadOnly}x.${ours.slice(ours.indexOf('.') + 1)}`,
      Buffer.from(JSON.stringify({ id: 'x' })).toString('base64url'),
      `${ours}\u0000`,
      'a'.repeat(10_000),
    ];
    for (const cursor of bad) expect(() => decodeCursor(cursor, ['id'])).toThrow(invalid);
    expect(() => decodeCursor(encodeCursor({ other: 1 }), ['workflowId'])).toThrow(invalid);
  });

  it('checks the values of a well-tagged cursor before any query sees them', () => {
    const rejected: [Record<string, unknown>, string[]][] = [
      [{ id: 'not-a-uuid' }, ['id']],
      [{ id: 42 }, ['id']],
      [{ version: '1.x.0' }, ['version']],
      [{ version: '99999999999.0.0' }, ['version']],
      [{ createdAt: 'yesterday', id: ID }, ['createdAt', 'id']],
      [{ workflowId: 'a\u0000b', version: '1.0.0' }, ['workflowId', 'version']],
      [{ workflowId: '\ud800', version: '1.0.0' }, ['workflowId', 'version']],
      [{ workflowId: 'x'.repeat(257), version: '1.0.0' }, ['workflowId', 'version']],
      [[ID] as unknown as Record<string, unknown>, ['0']],
      [null as unknown as Record<string, unknown>, ['id']],
    ];
    for (const [key, fields] of rejected) expect(() => decodeCursor(encodeCursor(key), fields)).toThrow(invalid);
  });

  it('never throws anything but INVALID_CURSOR on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        try {
          decodeCursor(text, ['id']);
        } catch (error) {
          expect(error).toMatchObject({ code: 'INVALID_CURSOR' });
        }
      }),
      { seed: 16, numRuns: 500 },
    );
  });

  it('pages from limit + 1 rows', () => {
    const rows = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    const page = toPage(rows, 2, (r) => r.id, (r) => ({ workflowId: r.id }));
    expect(page.items).toEqual(['a', 'b']);
    expect(decodeCursor(page.nextCursor!, ['workflowId'])).toEqual({ workflowId: 'b' });
    expect(toPage(rows.slice(0, 2), 2, (r) => r.id, (r) => ({ id: r.id })).nextCursor).toBeNull();
  });
});
