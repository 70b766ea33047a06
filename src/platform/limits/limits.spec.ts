import { validateEnv } from '@cognition/config/env.schema';
import { LIMITS, limitsOf, limitsTable } from './limits';

describe('the limits table', () => {
  it('has the same defaults as the environment schema', () => {
    const limits = limitsOf(validateEnv({}));
    for (const [name, spec] of Object.entries(LIMITS)) expect([name, limits[name as keyof typeof limits]]).toEqual([name, spec.default]);
  });

  it('reads each limit from its variable', () => {
    expect(limitsOf(validateEnv({ FOREACH_MAX_ITEMS: '50', JSON_MAX_DEPTH: '8' }))).toMatchObject({ forEachItems: 50, jsonDepth: 8 });
  });

  it('renders one row per limit', () => {
    expect(limitsTable().split('\n')).toHaveLength(Object.keys(LIMITS).length + 2);
  });
});
