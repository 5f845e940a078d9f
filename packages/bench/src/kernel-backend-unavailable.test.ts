import { describe, expect, it, vi } from 'vitest';
import { runCli } from './cli-run.test-helper.ts';

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

describe('an unavailable kernel backend', () => {
  it('checkBackend names the reason', () => {
    expect(() => checkBackend('wasm')).toThrow(/kernel backend "wasm" is unavailable here: kernels.wasm not built \(simulated\)/);
    expect(checkBackend('js')).toBe('js');
  });

  it('pnpm bench --backend wasm is a usage error that names the reason', async () => {
    const r = await runCli(main, '--backend', 'wasm', '--workload', 'chapter');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/kernel backend "wasm" is unavailable here: kernels.wasm not built \(simulated\)/);
    expect(r.out).toBe('');
  });
});
