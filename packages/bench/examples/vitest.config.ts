import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The example's own vitest config, as a user's project would have it: the setup file registers toMatchGradients.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['*.test.ts'],
    setupFiles: ['@tapegrad/bench/vitest'],
  },
});
