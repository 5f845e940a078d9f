/** The two element types tapegrad computes in. float32 is the default, as in PyTorch. */
export type DType = 'float32' | 'float64';

/** A flat row-major buffer of either dtype. */
export type FloatArray = Float32Array | Float64Array;

export const DTYPES: readonly DType[] = ['float32', 'float64'];

/** A zero-filled buffer of `n` elements of `dtype`. */
export function allocate(dtype: DType, n: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

/** The dtype a buffer holds. */
export function dtypeOf(data: FloatArray): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

/** Throws unless `dtype` names one of tapegrad's dtypes. */
export function checkDType(op: string, dtype: unknown): DType {
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new Error(`${op}: unknown dtype ${JSON.stringify(dtype)}; expected 'float32' or 'float64'`);
  }
  return dtype;
}
