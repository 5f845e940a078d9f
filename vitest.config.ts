import { defineConfig } from 'vitest/config';

// The tests run the packages from their sources: '@tapegrad/source' is the export condition of each package that
// points at src/*.ts (everyone else gets the built dist/), put ahead of Vite's own default conditions for the
// server (Node) environment that the tests run in.
const SOURCE = '@tapegrad/source';

// Two projects. 'tapegrad' is every test, on the default kernels (the wasm build with fused multiply-add where
// the runtime takes it). 'wasm-simd' runs the tests that exercise the kernel backends again on the plain SIMD
// build (TAPEGRAD_WASM_FMA=0), so both wasm builds are held to the reference kernels and the equality tests.
export default defineConfig({
  ssr: { resolve: { conditions: [SOURCE, 'module', 'node', 'development|production'] } },
  test: {
    testTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'tapegrad', include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'wasm-simd',
          include: [
            'packages/autograd/src/kernels/**/*.test.ts',
            'packages/bench/test/cross-backend.test.ts',
            'packages/bench/test/equality-matrix.test.ts',
          ],
          env: { TAPEGRAD_WASM_FMA: '0' },
        },
      },
    ],
  },
});
