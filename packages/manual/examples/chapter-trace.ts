// Prints the chapter's worked example (2-2-2-3, sigmoid hidden layers) symbol by symbol: first one sample, then a
// batch of 3. Run from the repository root: pnpm exec tsx packages/manual/examples/chapter-trace.ts
import { chapterExample as ex, formatTrace, ManualMLP } from '@tapegrad/manual';

const net = new ManualMLP({ sizes: ex.sizes, activation: ex.activation, dtype: 'float64', params: ex.params });

console.log(formatTrace(net.trace(ex.sample.x, ex.sample.y), { title: 'The chapter example, one sample (class 2)' }));
console.log('\n' + '─'.repeat(72) + '\n');
console.log(formatTrace(net.trace(ex.batch.x, ex.batch.y), { title: `The chapter example, a batch of 3 (classes ${ex.batch.y.join(', ')})` }));
