// One instance of the kernel module over one linear memory, and the one way in and out of it: the engines' tensors
// are ordinary JS typed arrays, which wasm cannot address, so operands are copied into the memory, the kernel is
// called with their byte addresses, and results are copied back out. A copy is O(n) against a kernel's O(n) to
// O(mkn) work, which is why only operands above each kernel's size rule get here (table.ts). The exception: arrays
// that already live in this memory (resident.ts allocates parameters and optimizer state there) are passed by
// address, never copied.
//
// Memory layout, bytes from the module's heap base: first the resident blocks (resident.ts), up to `scratch`; then,
// laid out afresh for each call, the operands one after another, each 64-byte aligned. Memories only ever grow (a
// shared one's growth never detaches the buffers other threads see, nor the resident arrays handed out).
//
// Every kernel comes as two exports, <name>F32 and <name>F64 (assembly/); `kernel(name, size)` picks one by the
// element size, the one place the binding chooses between them.
import type { FloatArray } from '../dtype.ts';
import { wasmApi, type WasmMemory, type WasmModule } from './api.ts';
import { REBUILD } from './module.ts';

const PAGE = 65536;

/** Rounds a byte count up to a 64-byte line. */
export const align = (bytes: number): number => (bytes + 63) & ~63;

type Export = (...args: number[]) => number;

/** An operand of `Arena.call`: `length` elements copied in from `from` before the call and/or out to `to` after it. */
export interface Operand {
  readonly from: FloatArray | null;
  readonly to: FloatArray | null;
  readonly length: number;
}

/** x[0..n) copied in. */
export const input = (x: FloatArray, n: number): Operand => ({ from: x, to: null, length: n });
/** n elements the kernel writes, copied out to out[0..n). */
export const output = (out: FloatArray, n: number): Operand => ({ from: null, to: out, length: n });
/** x[0..n) copied in, and what the kernel leaves in its place copied out to out[0..n) (x itself for an update in place). */
export const inOut = (x: FloatArray, out: FloatArray, n: number): Operand => ({ from: x, to: out, length: n });

export class Arena {
  readonly memory: WasmMemory;
  /** First byte past the module's static data: where the resident blocks start. */
  readonly base: number;
  /** First byte the arena lays a call's operands out from: past the resident blocks (resident.ts moves it). */
  scratch: number;
  private readonly exports: Record<string, Export>;
  private f32: Float32Array;
  private f64: Float64Array;
  /** Every buffer object the memory has had (a shared memory gives a new one after each grow): see holds(). */
  private readonly buffers = new WeakSet<ArrayBufferLike>();

  constructor(module: WasmModule, shared: boolean) {
    const api = wasmApi as NonNullable<typeof wasmApi>; // a module was compiled, so there is a WebAssembly
    this.memory = new api.Memory({ initial: 64, maximum: 65536, shared });
    const imports = { env: { memory: this.memory, abort: () => { throw new Error('wasm abort'); } } };
    this.exports = new api.Instance(module, imports).exports as Record<string, Export>;
    this.base = align(this.export('heapBase')());
    this.scratch = this.base;
    this.f32 = new Float32Array(this.memory.buffer);
    this.f64 = new Float64Array(this.memory.buffer);
    this.buffers.add(this.memory.buffer);
  }

  /** Whether x lives in this memory (a view of it that resident.ts handed out), so a kernel can use it in place. */
  holds(x: FloatArray): boolean {
    return this.buffers.has(x.buffer);
  }

  /** The export called `name`; an error naming the rebuild command when the module predates it. */
  export(name: string): Export {
    const f = this.exports[name];
    if (typeof f !== 'function') throw new Error(`wasm kernels: the module has no export ${name}: it is older than assembly/; rebuild it with \`${REBUILD}\``);
    return f;
  }

  /** The kernel `name` for elements of `size` bytes: <name>F64 for 8, <name>F32 for 4. */
  kernel(name: string, size: number): Export {
    return this.export(size === 8 ? `${name}F64` : `${name}F32`);
  }

  /** Grows the memory to at least `end` bytes. */
  ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE));
    if (this.f32.byteLength < end) {
      this.f32 = new Float32Array(this.memory.buffer);
      this.f64 = new Float64Array(this.memory.buffer);
      this.buffers.add(this.memory.buffer);
    }
  }

  /** The view of the memory for elements of `size` bytes (4 or 8). */
  view(size: number): FloatArray {
    return size === 8 ? this.f64 : this.f32;
  }

  /** Copies x[0..n) to byte address `at` (the memory must already reach that far). */
  copyIn(x: FloatArray, n: number, at: number): void {
    const size = x.BYTES_PER_ELEMENT;
    this.view(size).set(x.length === n ? x : x.subarray(0, n), at / size);
  }

  /** Copies n elements at byte address `at` out to out[0..n). */
  copyOut(at: number, out: FloatArray, n: number): void {
    const size = out.BYTES_PER_ELEMENT;
    out.set(this.view(size).subarray(at / size, at / size + n));
  }

  /**
   * Calls kernel `name` (F32 or F64 by the operands' element size) with `args`: numbers as they are, each Operand
   * as the address it was copied to, or its own address when it lives in this memory. Returns what the kernel returns.
   */
  call(name: string, ...args: (number | Operand)[]): number {
    const values: number[] = new Array(args.length);
    const layout = new Layout(this);
    let copied = 0; // bit i: operand i was copied in (and/or is copied out)
    let size = 0;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (typeof a === 'number') {
        values[i] = a;
        continue;
      }
      const x = (a.from ?? a.to) as FloatArray;
      size ||= x.BYTES_PER_ELEMENT;
      // in place only when the operand names one array, in and out: an inOut to another array is copied both ways
      const one = a.to === null || a.to === x;
      values[i] = one ? layout.place(x, a.length) : layout.reserve(a.length * size);
      if (!one || !this.holds(x)) copied |= 1 << i;
    }
    this.ensure(layout.end);
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (copied & (1 << i) && typeof a !== 'number' && a.from !== null) this.copyIn(a.from, a.length, values[i]);
    }
    const result = this.kernel(name, size)(...values);
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (copied & (1 << i) && typeof a !== 'number' && a.to !== null) this.copyOut(values[i], a.to, a.length);
    }
    return result;
  }
}

/**
 * Where one call's operands go, from the arena's scratch start: `place(x, n)` is x's own address when x lives in the
 * memory (used in place, copied neither way), else the next 64-byte-aligned run of n elements, which the caller
 * copies x into once `ensure(end)` has made room; `reserve(bytes)` is a run for anything else.
 */
export class Layout {
  end: number;

  constructor(private readonly arena: Arena) {
    this.end = arena.scratch;
  }

  place(x: FloatArray, n: number): number {
    return this.arena.holds(x) ? x.byteOffset : this.reserve(n * x.BYTES_PER_ELEMENT);
  }

  reserve(bytes: number): number {
    const at = this.end;
    this.end += align(bytes);
    return at;
  }
}
