import { validateEnv } from './env.schema';

describe('validateEnv', () => {
  it('fills the defaults of SPEC section 9', () => {
    const env = validateEnv({});
    expect(env).toMatchObject({ DB_HOST: '127.0.0.1', DB_PORT: 5432, DB_NAME: 'cognition_os', DB_POOL_SIZE: 20, PORT: 3000, WORKER_ENABLED: true, LEASE_SECONDS: 10, DB_SSL: false });
    expect(env.HTTP_STEP_ALLOWED_HOSTS).toEqual([]);
  });

  it('parses numbers, booleans and lists', () => {
    const env = validateEnv({ DB_PORT: '6543', WORKER_ENABLED: 'false', DB_SSL: '1', HTTP_STEP_ALLOWED_HOSTS: 'api.example.com, 10.0.0.5 ' });
    expect(env).toMatchObject({ DB_PORT: 6543, WORKER_ENABLED: false, DB_SSL: true, HTTP_STEP_ALLOWED_HOSTS: ['api.example.com', '10.0.0.5'] });
  });

  it('names every bad variable in one error', () => {
    expect(() => validateEnv({ DB_PORT: 'abc', WORKER_ENABLED: 'maybe', LOG_LEVEL: 'loud' })).toThrow(/DB_PORT.*WORKER_ENABLED.*LOG_LEVEL|DB_PORT/);
    try {
      validateEnv({ DB_PORT: 'abc', WORKER_ENABLED: 'maybe', LOG_LEVEL: 'loud' });
    } catch (e) {
      const message = (e as Error).message;
      for (const name of ['DB_PORT', 'WORKER_ENABLED', 'LOG_LEVEL']) expect(message).toContain(name);
    }
  });

  it('reads retention periods with fractions, 0 for keep forever, and refuses negative ones', () => {
    expect(validateEnv({})).toMatchObject({ EVENT_RETENTION_DAYS: 7, EXECUTION_RETENTION_DAYS: 30, IDEMPOTENCY_KEY_RETENTION_HOURS: 24, RETENTION_INTERVAL_MS: 600_000 });
    expect(validateEnv({ EXECUTION_RETENTION_DAYS: '0.5', TRACE_RETENTION_DAYS: '0' })).toMatchObject({ EXECUTION_RETENTION_DAYS: 0.5, TRACE_RETENTION_DAYS: 0 });
    expect(() => validateEnv({ EVENT_RETENTION_DAYS: '-1' })).toThrow(/EVENT_RETENTION_DAYS/);
    expect(() => validateEnv({ IDEMPOTENCY_KEY_RETENTION_HOURS: 'a day' })).toThrow(/IDEMPOTENCY_KEY_RETENTION_HOURS/);
  });

  it('refuses a malformed DATABASE_URL and bootstrap key', () => {
    expect(() => validateEnv({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => validateEnv({ BOOTSTRAP_API_KEY: 'secret' })).toThrow(/BOOTSTRAP_API_KEY/);
    expect(validateEnv({ BOOTSTRAP_API_KEY: 'cos_abcdEFGH_0123456789abcdefghij' }).BOOTSTRAP_API_KEY).toBe('cos_abcdEFGH_0123456789abcdefghij');
  });
});
