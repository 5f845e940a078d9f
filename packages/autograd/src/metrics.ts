// Metrics of a trained classifier, computed on plain numbers: nothing is recorded on the tape.
import { countCorrect, shapeStr } from './kernels/index.ts';
import { Tensor } from './tensor.ts';

/**
 * The fraction of rows of `logits` ([B, C]) whose largest entry (the first on a tie) is at the row's label, as
 * `(logits.argmax(1) == labels).float().mean()` in PyTorch. Labels: B integers in [0, C), as an array or a Tensor.
 */
export function accuracy(logits: Tensor, labels: ArrayLike<number> | Tensor): number {
  if (!(logits instanceof Tensor) || logits.ndim !== 2) {
    const what = logits instanceof Tensor ? `a tensor of shape ${shapeStr(logits.shape)}` : String(logits);
    throw new Error(`accuracy: logits must be a 2-D tensor [batch, classes], got ${what}`);
  }
  const [rows, cols] = logits.shape;
  const y = labels instanceof Tensor ? labels.data : labels;
  if (y === null || typeof y !== 'object' || typeof y.length !== 'number') throw new Error(`accuracy: labels must be an array or a Tensor of ${rows} class indices, got ${String(labels)}`);
  if (y.length !== rows) throw new Error(`accuracy: logits ${shapeStr(logits.shape)} has ${rows} rows but there are ${y.length} labels; expected one label per row`);
  for (let i = 0; i < rows; i++) {
    if (!Number.isInteger(y[i]) || y[i] < 0 || y[i] >= cols) {
      throw new Error(`accuracy: label ${y[i]} at position ${i} is not a class index; expected an integer in [0, ${cols - 1}]`);
    }
  }
  if (rows === 0) throw new Error('accuracy: logits [0, C] has no rows; the accuracy of no predictions is undefined');
  return countCorrect(logits.data, rows, cols, y) / rows;
}
