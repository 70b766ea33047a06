import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Where the CLI's environment came from: the file it read (if any), for the line it prints. */
export interface CliEnvSource {
  file?: string;
  /**
   * It names no database (usesEmbeddedDatabase), decided before Nest starts: Nest's ConfigModule then
   * writes the defaults (DB_HOST …) into process.env, and the raw environment is gone.
   */
  embeddedDatabase?: boolean;
}

/**
 * Reads the environment file before anything validates the environment: `--env-file <path>` (or
 * `--env-file=<path>`) when given — a missing file is an error — otherwise `./.env` when present.
 * Variables already set in the environment win over the file's (Node's `process.loadEnvFile`).
 */
export function loadCliEnv(argv: readonly string[], cwd = process.cwd()): CliEnvSource {
  const chosen = envFileArgument(argv);
  if (chosen !== undefined) {
    const file = resolve(cwd, chosen);
    if (!existsSync(file)) throw new Error(`--env-file ${chosen}: no such file`);
    process.loadEnvFile(file);
    return { file: chosen };
  }
  const fallback = join(cwd, '.env');
  if (!existsSync(fallback)) return {};
  process.loadEnvFile(fallback);
  return { file: './.env' };
}

/** The value of `--env-file`, undefined when absent; an option without a value is an error. */
export function envFileArgument(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') return undefined;
    if (arg.startsWith('--env-file=')) return nonEmpty(arg.slice('--env-file='.length));
    if (arg === '--env-file') return nonEmpty(argv[i + 1]?.startsWith('-') ? undefined : argv[i + 1]);
  }
  return undefined;
}

function nonEmpty(value: string | undefined): string {
  if (!value) throw new Error('--env-file needs a path');
  return value;
}

/** The version of the installed package (package.json above this file, in src/ or in dist/src/). */
export function packageVersion(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'cognition-os' && pkg.version) return pkg.version;
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
