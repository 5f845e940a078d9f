import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

/** The web package's root (where vite.config.ts is). */
export const WEB_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Builds the page as `pnpm web:build` does, into site/ of a fresh temporary folder; returns that folder. */
export async function buildPage(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tapegrad-web-'));
  // pluginTimings: rolldown's note that plugins took a large share of the build, which a busy machine prints
  await build({ root: WEB_ROOT, logLevel: 'warn', build: { outDir: join(dir, 'site'), emptyOutDir: true, rolldownOptions: { checks: { pluginTimings: false } } } });
  return dir;
}
