import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { describeEmbeddedDatabase, EMBEDDED_BOOTSTRAP_API_KEY, EmbeddedDatabase } from './embedded-database';

describe('embedded database', () => {
  it('creates the key of .env.example (the README examples use it)', () => {
    const example = parseEnv(readFileSync(join(__dirname, '..', '..', '..', '..', '.env.example'), 'utf8'));
    expect(EMBEDDED_BOOTSTRAP_API_KEY).toBe(example.BOOTSTRAP_API_KEY);
  });

  it('one start-up line: the mode, where the data is, and that DATABASE_URL switches to your own server', () => {
    const db: EmbeddedDatabase = {
      dir: resolve('.data', 'pg'),
      host: '127.0.0.1',
      port: 41234,
      user: 'postgres',
      password: 'secret',
      version: '15.18',
      started: true,
      database: 'cognition_os',
      migrated: ['A1', 'B2'],
    };
    const line = describeEmbeddedDatabase(db);
    expect(line).toBe(
      `database: embedded PostgreSQL 15.18 at 127.0.0.1:41234 (started, 2 migration(s) applied), database "cognition_os", data in ${join('.data', 'pg')}; set DATABASE_URL (or DB_HOST) to use your own PostgreSQL`,
    );
    expect(line).not.toContain('secret');
    expect(describeEmbeddedDatabase({ ...db, started: false, migrated: [], dir: '/var/tmp/pg' })).toMatch(/\(already running\), database "cognition_os", data in \/var\/tmp\/pg;/);
  });
});
