/** Types of test-workers.js (plain CommonJS: jest.config.js loads it). */
export function noDatabaseConfigured(env?: Record<string, string | undefined>, dotEnvFile?: string): boolean;
export function testWorkers(env?: Record<string, string | undefined>, dotEnvFile?: string, cpus?: number): number;
