// The slice of the WebAssembly JS API the kernel backend uses. Node and browsers provide it as a global, but the
// project compiles against lib ES2022 without DOM, which does not declare it; typing the few members used here keeps
// that choice (and avoids global declarations that could clash with a DOM lib later).

/** A compiled module (opaque here; it can be posted to worker threads). */
export type WasmModule = object & { readonly __brand?: 'WebAssembly.Module' };

export interface WasmMemory {
  /** A SharedArrayBuffer for shared memories; a new object after each grow. */
  readonly buffer: ArrayBufferLike;
  grow(deltaPages: number): number;
}

export interface WasmApi {
  Module: {
    new (bytes: Uint8Array): WasmModule;
    /** The names (and kinds) of what `module` exports. */
    exports(module: WasmModule): readonly { name: string; kind: string }[];
  };
  Instance: new (module: WasmModule, imports: object) => { readonly exports: object };
  validate(bytes: Uint8Array): boolean;
  /** Compiles off the calling thread (a browser refuses large synchronous compiles on a page's main thread). */
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}

/** The WebAssembly global, or undefined in a runtime without it. */
export const wasmApi: WasmApi | undefined = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
