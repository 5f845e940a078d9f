// Entry point of the WebAssembly kernel backend (compiled by scripts/build-wasm.mjs). Every function a file here
// exports is a kernel the TS side can call (src/kernels/wasm/arena.ts), so a new one needs no line in this file;
// a new file needs one `export *` below. No allocation happens in the kernels: the JS side owns linear memory and
// passes byte addresses.
export * from './gemm';
export * from './elementwise';
export * from './optimizers';

/** First byte past the module's static data: where the JS side may start its arena. */
export function heapBase(): usize {
  return __heap_base;
}
