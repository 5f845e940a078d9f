import { Writable } from 'node:stream';
import type { main as Main } from './cli.ts';

// Runs the CLI's main() as `pnpm bench ARGS` would, collecting what it writes: for the CLI's tests. `main` is
// passed in, so a test that mocks a module cli.ts imports (vi.mock) runs the mocked one.

/** A stream that keeps what is written to it. */
function textStream(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return Object.assign(w, { text: () => chunks.join('') });
}

/** The exit code and the text written to stdout and stderr by `main` for these arguments. */
export async function runCli(main: typeof Main, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = textStream();
  const err = textStream();
  const code = await main(['node', 'cli.ts', ...args], { out, err });
  return { code, out: out.text(), err: err.text() };
}
