import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  peer?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

interface Lockfile {
  name: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

/**
 * Writes a fresh application's package.json and package-lock.json so that `npm ci --offline` installs
 * the packed tarball and the framework packages with no registry: every package comes at the version,
 * URL and integrity of this repository's lockfile (whose tarballs `npm ci` left in npm's cache), so the
 * app gets what a consumer would get, deterministically.
 *
 * The app depends on the tarball and on our peerDependencies (at the locked versions); the lockfile
 * holds those and everything they need, found by walking our lockfile the way Node resolves modules.
 */
export function writeOfflineApp(appDir: string, repoRoot: string, tarball: string, extra: { name: string }): void {
  const repoLock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as Lockfile;
  const ours = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
    dependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
    bin?: Record<string, string>;
    engines?: Record<string, string>;
    overrides?: Record<string, string>;
  };
  const peers = Object.fromEntries(Object.keys(ours.peerDependencies).map((name) => [name, locked(repoLock, `node_modules/${name}`).version!]));
  const spec = `file:${relative(appDir, tarball)}`;
  const dependencies = { [ours.name]: spec, ...peers };

  const packages: Record<string, LockEntry> = {
    '': { name: extra.name, version: '1.0.0', dependencies },
    [`node_modules/${ours.name}`]: {
      version: ours.version,
      resolved: spec,
      integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
      dependencies: ours.dependencies,
      peerDependencies: ours.peerDependencies,
      ...(ours.bin ? { bin: ours.bin } : {}),
      ...(ours.engines ? { engines: ours.engines } : {}),
    },
  };
  // Our own dependencies resolve from the top level (as they do in this repo, where we are the root).
  const queue: [string, string][] = [...Object.keys(ours.dependencies), ...Object.keys(peers)].map((name) => ['', name]);
  while (queue.length) {
    const [from, name] = queue.shift()!;
    const path = resolveIn(repoLock, from, name);
    if (!path) {
      throw new Error(`${name} (needed by ${from || 'the app'}) is not in package-lock.json`);
    }
    if (packages[path]) continue;
    const entry = { ...locked(repoLock, path) };
    for (const flag of ['dev', 'devOptional', 'peer'] as const) delete entry[flag];
    packages[path] = entry;
    const optionalPeers = entry.peerDependenciesMeta ?? {};
    for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) queue.push([path, dep]);
    for (const dep of Object.keys(entry.peerDependencies ?? {})) {
      if (!optionalPeers[dep]?.optional || resolveIn(repoLock, path, dep)) queue.push([path, dep]);
    }
  }
  // Optional (platform-specific) packages absent from our lock are skipped by npm; the ones present are kept.
  // Our overrides too (fastify's version under @nestjs/platform-fastify): the lockfile's versions are the overridden ones.
  const overrides = ours.overrides ? { overrides: ours.overrides } : {};
  writeFileSync(join(appDir, 'package.json'), JSON.stringify({ name: extra.name, version: '1.0.0', private: true, dependencies, ...overrides }, null, 2));
  writeFileSync(join(appDir, 'package-lock.json'), JSON.stringify({ name: extra.name, version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2));
}

function locked(lock: Lockfile, path: string): LockEntry {
  const entry = lock.packages[path];
  if (!entry) throw new Error(`${path} is not in package-lock.json`);
  return entry;
}

/** Where Node finds `name` from a package at `from` (a lockfile path; '' for the root): nearest node_modules up. */
function resolveIn(lock: Lockfile, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!dir) return undefined;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut < 0 ? '' : dir.slice(0, cut);
  }
}
