import { decodeCursor, encodeCursor, toPage } from './cursor';

describe('keyset cursors', () => {
  it('round-trips a key and rejects garbage with a 400 problem', () => {
    const cursor = encodeCursor({ workflowId: 'a', version: '1.0.0' });
    expect(decodeCursor(cursor, ['workflowId', 'version'])).toEqual({ workflowId: 'a', version: '1.0.0' });
    expect(decodeCursor(undefined, ['x'])).toBeUndefined();
    expect(() => decodeCursor('!!!', ['workflowId'])).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => decodeCursor(encodeCursor({ other: 1 }), ['workflowId'])).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });

  it('pages from limit + 1 rows', () => {
    const rows = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    const page = toPage(rows, 2, (r) => r.id, (r) => ({ id: r.id }));
    expect(page.items).toEqual(['a', 'b']);
    expect(decodeCursor(page.nextCursor!, ['id'])).toEqual({ id: 'b' });
    expect(toPage(rows.slice(0, 2), 2, (r) => r.id, (r) => ({ id: r.id })).nextCursor).toBeNull();
  });
});
