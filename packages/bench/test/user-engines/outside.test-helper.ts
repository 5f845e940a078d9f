import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Mutant } from '../mutants/index.ts';
import { MUTANTS } from '../mutants/index.ts';

// Each planted mistake of test/mutants/ as a user's engine module outside the repository: a file in `dir` (a
// scratch directory) that exports `engine`, to be loaded by path the way `--engine FILE` loads one.

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

/** The module file of every mutant, written into `dir`. */
export function writeMutantModules(dir: string): { mutant: Mutant; file: string }[] {
  return MUTANTS.map((mutant, i) => {
    const file = join(dir, `mutant-${i}.ts`);
    writeFileSync(
      file,
      `import { MUTANTS } from ${JSON.stringify(here('../mutants/index.ts'))};\n` +
        `import { fromMutant } from ${JSON.stringify(here('./from-mutant.ts'))};\n` +
        `export const engine = fromMutant(MUTANTS[${i}].make);\n`,
    );
    return { mutant, file };
  });
}

/** The correct plain-JavaScript engine's file. */
export const PLAIN_MLP = here('./plain-mlp.js');
