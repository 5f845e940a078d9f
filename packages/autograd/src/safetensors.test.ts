// safetensors round trips in both conventions and the checks on malformed files (PyTorch's side of the format is
// in training-extra-reference.test.ts).
import { describe, expect, it } from 'vitest';
import { loadSafetensors, nn, parseSafetensors, Random, randn, saveSafetensors, tensor } from './index.ts';

/** A safetensors file from a header object and a data section. */
function file(header: object, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const head = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + head.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  out.set(data, 8 + head.length);
  return out;
}

const model = (rng: Random) =>
  new nn.Sequential(new nn.Linear(3, 4, { rng, dtype: 'float64' }), new nn.BatchNorm1d(4, { dtype: 'float64' }), new nn.ReLU(), new nn.Linear(4, 2, { rng, dtype: 'float64' }));

describe('safetensors', () => {
  it('round-trips named tensors of both dtypes bit for bit, with metadata, 8-byte aligned data', () => {
    const tensors = { a: randn([2, 3], { rng: new Random(1) }), b: randn([4], { dtype: 'float64', rng: new Random(2) }), s: tensor(-0, { dtype: 'float64' }) };
    const bytes = saveSafetensors(tensors, { metadata: { format: 'pt' } });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const back = parseSafetensors(bytes);
    expect(back.metadata).toEqual({ format: 'pt' });
    for (const [name, t] of Object.entries(tensors)) {
      expect(back.tensors[name].dtype).toBe(t.dtype);
      expect(back.tensors[name].shape).toEqual(t.shape);
      expect(back.tensors[name].data).toEqual(t.data);
    }
    expect(Object.is(back.tensors.s.data[0], -0)).toBe(true);
  });

  it('round-trips a model in the tapegrad and the torch convention (W transposed to out × in, torch names)', () => {
    const a = model(new Random(3));
    a.call(randn([5, 3], { dtype: 'float64', rng: new Random(4) })); // move the running statistics
    for (const convention of ['tapegrad', 'torch'] as const) {
      const bytes = saveSafetensors(a, { convention });
      const b = model(new Random(99));
      expect(loadSafetensors(b, bytes, { convention })).toEqual({ missingKeys: [], unexpectedKeys: [] });
      expect(b.stateDict()).toEqual(a.stateDict());
      expect((b.layers[1] as nn.BatchNorm1d).numBatchesTracked).toBe(convention === 'torch' ? 1 : 0); // only torch's names keep it
    }
    expect(parseSafetensors(saveSafetensors(a)).tensors['layers.0.W'].shape).toEqual([3, 4]);
  });

  it('writes torch names and layouts: Linear W as weight (out × in), b as bias, snake_case buffers, int64 num_batches_tracked', () => {
    const a = model(new Random(5));
    const bytes = saveSafetensors(a, { convention: 'torch' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: string; shape: number[] }>;
    expect(Object.keys(header)).toEqual([
      'layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias', 'layers.1.running_mean', 'layers.1.running_var',
      'layers.3.weight', 'layers.3.bias', 'layers.1.num_batches_tracked',
    ]);
    expect(header['layers.0.weight'].shape).toEqual([4, 3]);
    expect(header['layers.1.num_batches_tracked']).toMatchObject({ dtype: 'I64', shape: [] });
    expect(() => parseSafetensors(bytes)).toThrow(
      'safetensors: tensor "layers.1.num_batches_tracked" is I64 []; tapegrad reads F32 and F64 (convert it first, e.g. t.float() or t.double() in PyTorch)',
    );
    expect(() => saveSafetensors({ W: a.parameters()[0] }, { convention: 'torch' })).toThrow(/needs a Module/);
  });

  it('refuses malformed files, saying what is wrong', () => {
    const f32 = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);
    const entry = (dtype: string, shape: number[], offsets: number[]) => ({ dtype, shape, data_offsets: offsets });
    const cases: [Uint8Array, string][] = [
      [new Uint8Array(5), 'safetensors: malformed file: 5 bytes, shorter than the 8-byte header length'],
      [file({ a: entry('F32', [2], [0, 8]) }).subarray(0, 20), 'the header length is'],
      [file({ a: entry('F32', [2], [0, 8]) }, f32([1])), 'tensor "a" ends at byte 8 of the data, but the data has 4 bytes'],
      [file({ a: entry('F32', [3], [0, 8]) }, f32([1, 2])), 'tensor "a" (F32 [3]) needs 12 bytes but data_offsets [0, 8] hold 8'],
      [file({ a: entry('F32', [1], [4, 8]) }, f32([1, 2])), 'bytes 0–4 of the data belong to no tensor'],
      [file({ a: entry('F32', [2], [0, 8]), b: entry('F32', [1], [4, 8]) }, f32([1, 2])), 'tensor "b" overlaps the tensor before it'],
      [file({ a: entry('F32', [1], [0, 4]) }, f32([1, 2])), 'the last 4 bytes of the data belong to no tensor'],
      [file({ a: entry('Q7', [1], [0, 4]) }, f32([1])), 'tensor "a" has dtype "Q7", which the format does not define'],
      [file({ a: entry('F32', [-1], [0, 4]) }, f32([1])), 'tensor "a" has shape [-1]; expected non-negative integers'],
      [file([1, 2]), 'the header is not a JSON object'],
    ];
    for (const [bytes, message] of cases) expect(() => parseSafetensors(bytes), message).toThrow(message);
    const text = new TextEncoder().encode('{"a":');
    const broken = new Uint8Array(8 + text.length);
    new DataView(broken.buffer).setBigUint64(0, BigInt(text.length), true);
    broken.set(text, 8);
    expect(() => parseSafetensors(broken)).toThrow(/the header is not valid UTF-8 JSON/);
    expect(() => parseSafetensors(file({ h: entry('F16', [2], [0, 4]) }, new Uint8Array(4)))).toThrow('safetensors: tensor "h" is F16 [2]; tapegrad reads F32 and F64');
  });

  it('loading checks names and shapes before writing anything, and explains the torch layout', () => {
    const a = model(new Random(6));
    const before = a.stateDict();
    const wrong = saveSafetensors({ 'layers.0.W': tensor([[1, 2]], { dtype: 'float64' }) });
    expect(() => loadSafetensors(a, wrong)).toThrow(/loadStateDict: the state dict does not match the model: missing "layers.0.b"/);
    expect(() => loadSafetensors(a, wrong, { strict: false })).toThrow('loadStateDict: "layers.0.W" has shape [3, 4] in the model but [1, 2] in the state dict');
    const torchWrong = saveSafetensors({ 'layers.0.weight': tensor([[1, 2, 3, 4]], { dtype: 'float64' }) });
    expect(() => loadSafetensors(a, torchWrong, { convention: 'torch', strict: false })).toThrow(
      'loadSafetensors: "layers.0.weight" is [1, 4] in the file; expected torch\'s out × in layout [4, 3] of [3, 4]',
    );
    expect(a.stateDict()).toEqual(before);
    expect(() => loadSafetensors(a, wrong, { convention: 'jax' as never })).toThrow("loadSafetensors: unknown convention \"jax\"; expected 'tapegrad' or 'torch'");
  });
});
