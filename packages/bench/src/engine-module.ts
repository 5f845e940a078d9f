import { existsSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EngineFactory } from './engine.ts';
import type { UserEngine, UserEngineFactory } from './user-engine.ts';
import { userEngineFactory } from './user-engine.ts';

// `--engine ./my-engine.ts`: a module, loaded by path, that exports your engine as `engine` (or as its default
// export): either an object with gradients(params, batch), or a factory (network) => such an object. The CLI runs
// under tsx's loader (bin/tapegrad-bench.js registers it, `pnpm bench` runs through it), so .ts loads as .js does.

/** A module that cannot be loaded or exports no engine: a usage error (exit code 2), with the reason. */
export class EngineModuleError extends Error {}

const EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

/** Loads `file` (an absolute path) and returns its engine as the bench's factory, named after the file. */
export async function loadEngineModule(file: string): Promise<{ factory: EngineFactory; name: string }> {
  const ext = extname(file);
  if (!existsSync(file)) throw new EngineModuleError(`--engine ${file}: no such file`);
  if (!EXTENSIONS.includes(ext)) throw new EngineModuleError(`--engine ${file}: expected a ${EXTENSIONS.join(', ')} module`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    throw new EngineModuleError(`--engine ${file}: could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
  }
  const name = basename(file, ext);
  const exported = mod.engine ?? mod.default;
  const isEngine = (x: unknown): x is UserEngine => typeof x === 'object' && x !== null && typeof (x as UserEngine).gradients === 'function';
  if (typeof exported === 'function' || isEngine(exported)) return { factory: userEngineFactory(exported as UserEngine | UserEngineFactory, name), name };
  const found = Object.keys(mod).filter((k) => k !== '__esModule');
  throw new EngineModuleError(
    `--engine ${file}: exports no engine; expected \`export const engine = (network) => ({ gradients(params, batch) { … } })\` ` +
      `(a factory, or the object itself; a default export also works), found ${found.length > 0 ? found.join(', ') : 'no exports'}`,
  );
}
