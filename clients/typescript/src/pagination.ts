/** A page of a list endpoint: `{items, nextCursor}` (`nextCursor` null or absent on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

/**
 * Every item of a keyset-paginated list: asks for a page, yields its items, and asks again with
 * `cursor` = the page's `nextCursor` until there is none. Pages are fetched one at a time, when the
 * previous one has been consumed, so breaking out of the loop stops the requests.
 */
export async function* paginate<T>(fetchPage: (query: Record<string, unknown>) => Promise<Page<T>>, query: Record<string, unknown> = {}): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined;
  const seen = new Set<string>();
  for (;;) {
    const page = await fetchPage(cursor === undefined ? { ...query } : { ...query, cursor });
    yield* page.items;
    const next = page.nextCursor;
    if (typeof next !== 'string' || next === '') return;
    // A server answering the same cursor twice would make this loop forever.
    if (seen.has(next)) throw new Error(`pagination: the server answered the cursor ${next} twice`);
    seen.add(next);
    cursor = next;
  }
}
