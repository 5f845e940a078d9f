import { defaultClientConditions, defineConfig } from 'vite';

/** The headers that make a page cross-origin isolated, so that Web Workers may share its wasm memory (threads). */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** The export condition under which the workspace's packages point at their sources (src/*.ts) rather than dist/. */
const SOURCE = '@tapegrad/source';

// `pnpm web` (vite) and `vite preview` send the isolation headers; `pnpm web:build` writes dist/, a static site with
// relative URLs (base './'), so it works from any folder of any static server: on one thread where the server does
// not send the headers, on several where it does. The wasm kernels are found by `new URL('…wasm', import.meta.url)`
// in @tapegrad/autograd, which Vite copies into dist/assets.
export default defineConfig({
  base: './',
  resolve: { conditions: [SOURCE, ...defaultClientConditions] },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  worker: { format: 'es' },
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true },
});
