import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLIENT_DIR, GENERATED_FILES, writeClientFiles } from '../../../scripts/generate-client';
import { startTestApp, TestApp } from '../../support/test-app';

/**
 * The TypeScript client's committed types are those of the live document: the document is read from
 * the running app's /docs-json, the client files are generated from it into a temp folder, and each
 * must equal the committed one.
 */
describe('TypeScript client types (e2e)', () => {
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    t = await startTestApp('client_types');
    dir = mkdtempSync(join(tmpdir(), 'cos-client-'));
  });

  afterAll(async () => {
    if (dir && !process.env.KEEP_CLIENT_TMP) rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('the committed openapi.json, schema.d.ts and idempotent operations match the live document', async () => {
    const document: unknown = await (await fetch(`${t.url}/docs-json`)).json();
    writeClientFiles(document, dir);
    const stale = GENERATED_FILES.filter((file) => readFileSync(join(dir, file), 'utf8') !== readOrEmpty(join(CLIENT_DIR, file)));
    if (stale.length > 0) {
      throw new Error(`clients/typescript is out of date with the OpenAPI document (${stale.join(', ')} differ): run npm run client:generate and commit the result`);
    }
    expect(stale).toEqual([]);
  });

  it('the generated files are not empty (the comparison above compares something)', () => {
    const schema = readFileSync(join(dir, 'src', 'schema.d.ts'), 'utf8');
    expect(schema).toContain('"/api/v3/workflows/{id}/executions"');
    expect(readFileSync(join(dir, 'src', 'idempotent-operations.ts'), 'utf8')).toContain("'POST /api/v3/workflows/{id}/executions'");
  });
});

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
