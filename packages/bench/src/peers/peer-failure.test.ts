import { describe, expect, it } from 'vitest';
import { peerFailure } from './index.ts';

// The peers are optional peer dependencies of @tapegrad/bench: one that is not installed must say what to install
// (test/consumer runs this against a real install without them). The errors below are Node's, as it words them.
const notFound = (message: string, code: string): Error => Object.assign(new Error(message), { code });

describe('peerFailure', () => {
  it('names the packages to install when a peer package is missing, from import() or require()', () => {
    const esm = notFound("Cannot find package '@tensorflow/tfjs-backend-wasm' imported from /app/node_modules/@tapegrad/bench/dist/peers/tfjs.js", 'ERR_MODULE_NOT_FOUND');
    expect(peerFailure('tfjs-wasm', esm)).toBe(
      '@tensorflow/tfjs and @tensorflow/tfjs-backend-wasm not installed (optional peer dependencies of @tapegrad/bench: npm install @tensorflow/tfjs @tensorflow/tfjs-backend-wasm)',
    );
    const cjs = notFound("Cannot find module '@jax-js/jax'\nRequire stack:\n- /app/x.js", 'MODULE_NOT_FOUND');
    expect(peerFailure('jax-js', cjs)).toBe('@jax-js/jax not installed (optional peer dependencies of @tapegrad/bench: npm install @jax-js/jax)');
  });

  it('passes any other failure through as it is', () => {
    expect(peerFailure('jax-js', new Error('jax-js: no wasm device (devices: cpu)'))).toBe('jax-js: no wasm device (devices: cpu)');
    // a module missing inside the peer package is not the peer package missing
    const inner = notFound("Cannot find module '/app/node_modules/@jax-js/jax/dist/x.js' imported from /app/node_modules/@jax-js/jax/dist/index.js", 'ERR_MODULE_NOT_FOUND');
    expect(peerFailure('jax-js', inner)).toBe(inner.message);
    expect(peerFailure('openblas', 'gcc not found')).toBe('gcc not found');
  });
});
