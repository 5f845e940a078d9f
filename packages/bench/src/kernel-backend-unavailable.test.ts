import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';

// A machine where the wasm kernels cannot load (simulated): asking for them is an error that says why.
vi.mock('@tapegrad/autograd/kernels', async (importOriginal) => {
  const original = await importOriginal<typeof import('@tapegrad/autograd/kernels')>();
  return {
    ...original,
    backendAvailable: (name: string) => name === 'js',
    backendUnavailableReason: (name: string) => (name === 'wasm' ? 'kernels.wasm not built (simulated)' : null),
  };
});

const { checkBackend } = await import('./kernel-backend.ts');
const { main } = await import('./cli.ts');

function buffer(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return Object.assign(w, { text: () => chunks.join('') });
}

describe('an unavailable kernel backend', () => {
  it('checkBackend names the reason', () => {
    expect(() => checkBackend('wasm')).toThrow(/kernel backend "wasm" is unavailable here: kernels.wasm not built \(simulated\)/);
    expect(checkBackend('js')).toBe('js');
  });

  it('pnpm bench --backend wasm is a usage error that names the reason', async () => {
    const out = buffer();
    const err = buffer();
    const code = await main(['node', 'cli.ts', '--backend', 'wasm', '--workload', 'chapter'], { out, err });
    expect(code).toBe(2);
    expect(err.text()).toMatch(/kernel backend "wasm" is unavailable here: kernels.wasm not built \(simulated\)/);
    expect(out.text()).toBe('');
  });
});
