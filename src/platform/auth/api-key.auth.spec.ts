import { PUBLIC_ROUTE } from './public.decorator';
import { needsApiKey } from './api-key.auth';

describe('needsApiKey', () => {
  const prefix = '/api/v3';

  it('selects every route under the prefix', () => {
    expect(needsApiKey({ url: '/api/v3/workflows/:id' }, prefix)).toBe(true);
    expect(needsApiKey({ url: '/api/v3' }, prefix)).toBe(true);
    expect(needsApiKey({ url: '/api/v3/x', config: { bodyLimit: 5 } }, prefix)).toBe(true);
  });

  it('leaves out @Public() routes and routes outside the prefix', () => {
    expect(needsApiKey({ url: '/api/v3/hooks', config: { [PUBLIC_ROUTE]: true } }, prefix)).toBe(false);
    expect(needsApiKey({ url: '/health/live' }, prefix)).toBe(false);
    expect(needsApiKey({ url: '/docs' }, prefix)).toBe(false);
    expect(needsApiKey({ url: '/api/v30/x' }, prefix)).toBe(false);
  });
});
