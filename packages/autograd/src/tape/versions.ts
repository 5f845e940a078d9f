// Version counters, as PyTorch keeps them: every change the library makes to a tensor's values in place (an
// optimizer step, loadStateDict, zero_(), init, accumulating into .grad) adds one to the tensor's version. Before
// the reverse walk runs a node's rule it checks that none of the node's tensor arguments, nor its output, changed
// since the node was recorded, so a rule never computes a gradient from values other than those of the forward
// pass: the error names the op, the tensor (its parameter name when a Module named it), its shape and both versions.
//
// What a node records is one number, the clock when it was recorded: every change also stamps its counter with the
// next tick of one global clock, so "changed since" is `changedAt > recordedAt`, with nothing stored per argument
// (a per-node array of versions cost a small network's step 5%). The counter keeps the stamps of its last
// STAMPS changes, from which the error counts the changes since the node and so gives the version it expected.
//
// Every tensor argument is checked, not only those the rule reads (PyTorch checks only what the op saved): a
// backward after changing the input of an add is refused here though PyTorch allows it. Writes straight into
// `.data` do not bump the version; under detectAnomaly the walk also compares a checksum of every argument's buffer
// taken when the op was recorded, which catches those too.
//
// The counter is an object shared by the tensors that share a buffer (detach() hands it on), made only when first
// needed: a tensor never changed in place and never detached has none, and is at version 0.

import type { FloatArray } from '../kernels/index.ts';
import { shapeStr } from '../kernels/index.ts';
import type { Node } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import type { TapeTensor } from './marks.ts';

/** How many of its latest changes a counter keeps the stamps of (a power of two). */
const STAMPS = 8;

/** A version count, shared by every tensor viewing the same buffer. */
export interface VersionCounter {
  /** The version: how many changes. */
  value: number;
  /** The clock's tick at the latest change (0: none). */
  changedAt: number;
  /** The ticks of the latest STAMPS changes: change number v at v mod STAMPS. */
  readonly stamps: number[];
}

/** The global clock: one tick per change of any tensor. */
let clock = 0;

/** The clock now: what a node records, to compare with its arguments' changedAt. */
export function clockNow(): number {
  return clock;
}

/** The version of `t`: how many times the library changed its values in place. */
export function versionOf(t: Tensor): number {
  const c = (t as TapeTensor).versionCounter;
  return c === null ? 0 : c.value;
}

/**
 * Sets `t`'s version back to `version`, fewer than STAMPS changes ago: only for putting back values exactly as they
 * were at that version (an optimizer step undone by checkFinite), so that a graph recorded before stays usable.
 */
export function setVersion(t: Tensor, version: number): void {
  const c = counterOf(t);
  c.value = version;
  c.changedAt = version === 0 ? 0 : c.stamps[version & (STAMPS - 1)];
}

/** Records one in-place change of `t`'s values (call it for every write the library makes into an existing tensor). */
export function bumpVersion(t: Tensor): void {
  const c = counterOf(t);
  c.value++;
  c.changedAt = ++clock;
  c.stamps[c.value & (STAMPS - 1)] = clock;
}

/** The counter of `t`, made now if it has none: to share with a tensor made over the same buffer (detach()). */
export function counterOf(t: Tensor): VersionCounter {
  const tt = t as TapeTensor;
  if (tt.versionCounter === null) tt.versionCounter = { value: 0, changedAt: 0, stamps: new Array<number>(STAMPS).fill(0) };
  return tt.versionCounter;
}

/** Whether `t` was changed in place after the clock read `tick`. */
function changedSince(t: TapeTensor, tick: number): boolean {
  const c = t.versionCounter;
  return c !== null && c.changedAt > tick;
}

/** `t`'s version when the clock read `tick`, as text: exact unless it changed STAMPS times or more since. */
function versionAt(t: Tensor, tick: number): string {
  const c = counterOf(t);
  let since = 0;
  for (let v = c.value; v > 0 && since < STAMPS && c.stamps[v & (STAMPS - 1)] > tick; v--) since++;
  return since < STAMPS ? `${c.value - since}` : `at most ${c.value - STAMPS}`;
}

/** The names Modules gave their tensors (see nameTensor), for errors. */
const names = new WeakMap<Tensor, string>();

/**
 * Names `t` (`layers.0.W`) for the errors about it; Module.namedTensors() calls this. A tensor keeps the longest
 * name it is given: the one relative to the outermost module that listed it.
 */
export function nameTensor(t: Tensor, name: string): void {
  const previous = names.get(t);
  if (previous === undefined || name.length > previous.length) names.set(t, name);
}

/** `parameter 'layers.0.W' [2, 64] (float32)`, or `a float32 tensor [2, 64]` for one without a name. */
export function describeTensor(t: Tensor): string {
  const name = names.get(t);
  return name === undefined ? `a ${t.dtype} tensor ${shapeStr(t.shape)}` : `parameter '${name}' ${shapeStr(t.shape)} (${t.dtype})`;
}

/** A checksum of `data`'s bits (FNV-1a over its 32-bit words), for detectAnomaly's check of raw writes. */
export function checksum(data: FloatArray): number {
  const words = new Int32Array(data.buffer, data.byteOffset, data.byteLength >> 2);
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193);
  return h;
}

/**
 * Throws, naming the op, the tensor and both versions, if an argument of `node` (or `out`, the tensor it produced)
 * was changed in place since the node was recorded; under anomaly detection (when the node holds checksums), also
 * if an argument's buffer was written to directly. `caller` is the public function walking ('backward').
 */
export function checkUnchanged(caller: string, node: Node, out: TapeTensor): void {
  const { inputs, recordedAt, checksums } = node;
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i];
    if (x === null) continue;
    if (changedSince(x, recordedAt)) throw modified(caller, node, x, `argument ${i}`);
    if (checksums !== null && checksum(x.data) !== checksums[i]) throw written(caller, node, x, `argument ${i}`);
  }
  if (changedSince(out, recordedAt)) throw modified(caller, node, out, 'its output');
}

function modified(caller: string, node: Node, t: Tensor, which: string): Error {
  return new Error(
    `${caller}: one of the variables needed for gradient computation has been modified by an in-place operation: ` +
      `${describeTensor(t)}, ${which} of ${node.op}, is at version ${versionOf(t)}; expected version ${versionAt(t, node.recordedAt)}, as when ${node.op} ` +
      `was recorded. Run the forward pass again after changing it (e.g. after optimizer.step() or loadStateDict()), ` +
      `or call backward() before the change`,
  );
}

function written(caller: string, node: Node, t: Tensor, which: string): Error {
  return new Error(
    `${caller}: anomaly: ${describeTensor(t)}, ${which} of ${node.op}, was written to directly (its .data changed ` +
      `without an in-place operation, at version ${versionOf(t)}) after ${node.op} was recorded; its gradient would be ` +
      `computed from values other than those of the forward pass`,
  );
}
