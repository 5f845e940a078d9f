// Entry point of the WebAssembly kernel backend (compiled by scripts/build-wasm.mjs).
// No allocation happens in here: the JS side owns linear memory and passes byte addresses.
export { gemmChunk, gemmF32, gemmF64, gemmWorkBytes } from './gemm';
export { addRowF32, addRowF64, allFiniteF32, allFiniteF64, axpyF32, axpyF64, hadamardF32, hadamardF64, sumRowsF32, sumRowsF64, reluBackF32, reluBackF64, reluF32, reluF64, reluGradF32, reluGradF64 } from './elementwise';

/** First byte past the module's static data: where the JS side may start its arena. */
export function heapBase(): usize {
  return __heap_base;
}
