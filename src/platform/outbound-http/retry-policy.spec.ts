import { backoffDelay, isRetryableStatus, MAX_RETRY_DELAY_MS, parseRetryAfter } from './retry-policy';

const headers = (values: Record<string, string>) => new Headers(values);
const NOW = Date.parse('2026-11-26T12:00:00Z');

describe('parseRetryAfter', () => {
  it('reads seconds', () => {
    expect(parseRetryAfter(headers({ 'retry-after': '1' }), NOW)).toBe(1000);
    expect(parseRetryAfter(headers({ 'retry-after': ' 2.5 ' }), NOW)).toBe(2500);
    expect(parseRetryAfter(headers({ 'retry-after': '0' }), NOW)).toBe(0);
  });

  it('reads an HTTP-date relative to now, a past date meaning no wait', () => {
    expect(parseRetryAfter(headers({ 'retry-after': 'Thu, 26 Nov 2026 12:00:07 GMT' }), NOW)).toBe(7000);
    expect(parseRetryAfter(headers({ 'retry-after': 'Thu, 26 Nov 2026 11:59:00 GMT' }), NOW)).toBe(0);
  });

  it('prefers retry-after-ms (sent by OpenAI) over retry-after', () => {
    expect(parseRetryAfter(headers({ 'retry-after-ms': '250', 'retry-after': '3' }), NOW)).toBe(250);
  });

  it('caps what the server asks for', () => {
    expect(parseRetryAfter(headers({ 'retry-after': '3600' }), NOW)).toBe(MAX_RETRY_DELAY_MS);
    expect(parseRetryAfter(headers({ 'retry-after': 'Fri, 27 Nov 2026 12:00:00 GMT' }), NOW)).toBe(MAX_RETRY_DELAY_MS);
  });

  it('ignores a missing or unreadable header', () => {
    expect(parseRetryAfter(headers({}), NOW)).toBeNull();
    expect(parseRetryAfter(headers({ 'retry-after': 'soon' }), NOW)).toBeNull();
    expect(parseRetryAfter(headers({ 'retry-after': '-5' }), NOW)).toBeNull();
    expect(parseRetryAfter(headers({ 'retry-after': '2026' }), NOW)).toBe(MAX_RETRY_DELAY_MS);
    expect(parseRetryAfter(headers({ 'retry-after-ms': 'x', 'retry-after': '2' }), NOW)).toBe(2000);
  });
});

describe('backoffDelay', () => {
  it('doubles per attempt with jitter between half and all of base·2^attempt', () => {
    expect(backoffDelay(0, 500, () => 0)).toBe(250);
    expect(backoffDelay(0, 500, () => 1)).toBe(500);
    expect(backoffDelay(2, 500, () => 0)).toBe(1000);
    expect(backoffDelay(2, 500, () => 1)).toBe(2000);
    for (let i = 0; i < 50; i++) {
      const delay = backoffDelay(1, 100);
      expect(delay).toBeGreaterThanOrEqual(100);
      expect(delay).toBeLessThanOrEqual(200);
    }
  });

  it('never exceeds the cap', () => {
    expect(backoffDelay(20, 500, () => 1)).toBe(MAX_RETRY_DELAY_MS);
  });
});

describe('isRetryableStatus', () => {
  it.each([408, 429, 500, 502, 503, 529])('%i is retried', (status) => expect(isRetryableStatus(status)).toBe(true));
  it.each([400, 401, 403, 404, 409, 422])('%i is not', (status) => expect(isRetryableStatus(status)).toBe(false));
});
