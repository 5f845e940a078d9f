// Packs the three packages as they would be published and lints the tarballs: publint (the manifest against the
// files it ships) and Are the Types Wrong (how Node, bundlers and TypeScript resolve each export). Run as
// `pnpm lint:packages [DIR]`: with DIR, the tarballs already there (the consumer test packs once and passes its
// own); without, it packs into a temporary folder first. Exits 1 on any finding that is not listed below.
//
// Findings expected and not reported, and why:
// - attw `--profile node16`: the node10 resolution (TypeScript's `moduleResolution: node`, deprecated) ignores
//   `exports`, so it cannot see the subpath entries; these packages are ES modules for Node 20.19+ only.
// - attw `cjs-resolves-to-esm`: a `require()` of these packages loads an ES module. That is the intended path for
//   CommonJS users (Node's require(esm), on by default from Node 20.19 and 22.12; the consumer test runs it), and
//   TypeScript accepts it under `module: node20` / `nodenext`; only the older `module: node16` reports it.
// - An export whose source file is not in this checkout (an entry added for code still to land on another branch)
//   is left out of both checks, with a line saying so.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The published packages, dependencies first (packing builds each against the ones before it). */
export const PACKAGES = ['autograd', 'manual', 'bench'] as const;
export type PackageDir = (typeof PACKAGES)[number];

/** The environment for what runs on the built packages: without the workspace's NODE_OPTIONS (its `--conditions`
 * would send Node to the packages' sources) and without TAPEGRAD_* settings (a user starts from the defaults). */
export function builtEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  for (const name of Object.keys(env)) if (name.startsWith('TAPEGRAD_')) delete env[name];
  return env;
}

/** `pnpm pack` of every package into `dest` (each one built first by its `prepack` script); the tarballs' paths. */
export function packPackages(dest: string): Record<PackageDir, string> {
  mkdirSync(dest, { recursive: true });
  const out = {} as Record<PackageDir, string>;
  for (const name of PACKAGES) {
    const before = new Set(readdirSync(dest));
    execFileSync('pnpm', ['pack', '--pack-destination', dest], { cwd: join(ROOT, 'packages', name), stdio: ['ignore', 'pipe', 'inherit'], env: builtEnv() });
    const made = readdirSync(dest).filter((f) => f.endsWith('.tgz') && !before.has(f) && f.startsWith(`tapegrad-${name}-`));
    if (made.length !== 1) throw new Error(`pnpm pack of packages/${name} made ${made.length} tarballs in ${dest}, expected 1`);
    out[name] = join(dest, made[0]);
  }
  return out;
}

type ExportEntry = string | { readonly [condition: string]: string };

/** The export subpaths of packages/`name` whose source (the `@tapegrad/source` target) is not in this checkout. */
export function unbuiltExports(name: PackageDir): string[] {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'packages', name, 'package.json'), 'utf8')) as { exports: Record<string, ExportEntry> };
  return Object.entries(manifest.exports)
    .filter(([, entry]) => typeof entry === 'object' && entry['@tapegrad/source'] !== undefined && !existsSync(join(ROOT, 'packages', name, entry['@tapegrad/source'])))
    .map(([subpath]) => subpath);
}

/** Lints one package's tarball; the findings as lines of text (none when clean). */
export async function lintTarball(name: PackageDir, tarball: string): Promise<{ findings: string[]; notes: string[] }> {
  const findings: string[] = [];
  const notes: string[] = [];
  const skipped = unbuiltExports(name);
  if (skipped.length > 0) notes.push(`${name}: not checked, source not in this checkout: ${skipped.join(', ')}`);
  const bytes = readFileSync(tarball);
  const { messages, pkg } = await publint({ pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) }, level: 'suggestion', strict: true });
  for (const m of messages) {
    // path is ['exports', subpath, condition…] for an export's message
    if (m.path[0] === 'exports' && skipped.includes(m.path[1] ?? '')) continue;
    findings.push(`${name}: publint ${m.type}: ${formatMessage(m, pkg, { color: false }) ?? m.code}`);
  }
  const args = [tarball, '--profile', 'node16', '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'ascii', '--no-emoji', '--no-color'];
  if (skipped.length > 0) args.push('--exclude-entrypoints', ...skipped);
  try {
    await promisify(execFile)(join(ROOT, 'node_modules', '.bin', 'attw'), args, { encoding: 'utf8', env: builtEnv() });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    findings.push(`${name}: attw:\n${(err.stdout || err.stderr || err.message).trim()}`);
  }
  return { findings, notes };
}

/** Lints every package's tarball (at the same time); every finding, and notes on what was left out. */
export async function lintPackages(tarballs: Record<PackageDir, string>): Promise<{ findings: string[]; notes: string[] }> {
  const results = await Promise.all(PACKAGES.map((name) => lintTarball(name, tarballs[name])));
  return { findings: results.flatMap((r) => r.findings), notes: results.flatMap((r) => r.notes) };
}

/** The tarball of each package in `dir` (as packPackages names them). */
function tarballsIn(dir: string): Record<PackageDir, string> {
  const out = {} as Record<PackageDir, string>;
  for (const name of PACKAGES) {
    const found = readdirSync(dir).filter((f) => f.startsWith(`tapegrad-${name}-`) && f.endsWith('.tgz'));
    if (found.length !== 1) throw new Error(`${dir}: expected one tapegrad-${name}-*.tgz, found ${found.length}`);
    out[name] = join(dir, found[0]);
  }
  return out;
}

async function main(argv: readonly string[]): Promise<number> {
  const given = argv[0];
  const tmp = given === undefined ? mkdtempSync(join(tmpdir(), 'tapegrad-pack-')) : null;
  try {
    const tarballs = tmp === null ? tarballsIn(resolve(given!)) : packPackages(tmp);
    const { findings, notes } = await lintPackages(tarballs);
    for (const n of notes) console.log(`lint:packages: ${n}`);
    for (const f of findings) console.log(f);
    console.log(`lint:packages: ${findings.length === 0 ? 'publint and attw clean' : `${findings.length} finding(s)`} on ${PACKAGES.map((n) => `@tapegrad/${n}`).join(', ')}`);
    return findings.length === 0 ? 0 : 1;
  } finally {
    if (tmp !== null) rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => {
    console.error(`lint:packages: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  });
}
