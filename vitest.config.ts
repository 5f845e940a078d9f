import { defineConfig } from 'vitest/config';

// Two projects. 'tapegrad' is every test, on the default kernels (the wasm build with fused multiply-add where
// the runtime takes it). 'wasm-simd' runs the tests that exercise the kernel backends again on the plain SIMD
// build (TAPEGRAD_WASM_FMA=0), so both wasm builds are held to the reference kernels and the equality tests.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'tapegrad', include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'] },
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
