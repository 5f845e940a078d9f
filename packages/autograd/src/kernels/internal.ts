// @tapegrad/autograd/kernels/internal: what tests and benchmarks reach past the public kernels (index.ts): the kernel
// table and each backend's form pinned, the size rules, the thread pool's tuning and counters, the wasm loader.
// Not for users: any of it may change with the kernels.
export type { KernelRow } from './table.ts';
export { KERNEL_TABLE, WASM_AXPY_MIN, WASM_ELEMENTWISE_MIN, WASM_MIN_MACS, WASM_MIN_OUTPUTS, WASM_OPTIMIZER_MIN } from './table.ts';
export { adamRef, axpyRef, matmulRef, matmulRefNT, matmulRefTN } from './reference.ts';
export { matmulWasm, matmulWasmNT, matmulWasmTN } from './matmul.ts';
export { CHUNKS_PER_THREAD, WASM_THREAD_MIN_MACS, workerChunks } from './wasm/gemm.ts';
export { gemmStats, gemmTuning } from './wasm/pool.ts';
export type { KernelModule } from './wasm/module.ts';
export { fmaAllowed, loadFrom, loadKernelModule, localFileOf, REBUILD, WASM_FILE, WASM_FMA_FILE } from './wasm/module.ts';
export { ADAM_THREAD_MIN } from './wasm/adam.ts';
export { nativeGemm } from './native/kernels.ts';
export { releaseResident, RESIDENT_MIN, residentArray, residentStats } from './wasm/resident.ts';
