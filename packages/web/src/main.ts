import './style.css';
import { mountChapter } from './chapter/chapter-view.ts';
import { state } from './hook.ts';
import { startKernels } from './kernels.ts';
import { kernelsText } from './kernels-text.ts';
import { mountTraining } from './training/training-view.ts';

// The page: the kernels of this thread (one thread: the chapter's matrices are 2 × 2), then the chapter section
// and the training section, which trains in a Web Worker with its own kernels.

const ISOLATION = 'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp';

async function main(): Promise<void> {
  const page = await startKernels(1);
  state.kernels.page = page;
  const note = document.getElementById('isolation')!;
  note.textContent = crossOriginIsolated
    ? 'This page is cross-origin isolated: the training worker runs the matrix products on several threads (Web Workers sharing its wasm memory).'
    : `This page is not cross-origin isolated, so the kernels run on one thread (with the same numbers). Threads need the headers ${ISOLATION}: \`pnpm web\` sends them; a static server must send them too.`;
  note.className = crossOriginIsolated ? 'note isolated' : 'note single';
  document.getElementById('page-kernels')!.textContent = `This thread's kernels (the chapter): ${kernelsText(page)}${page.error === undefined ? '' : ` (the wasm kernels could not load: ${page.error})`}.`;
  mountChapter(document.getElementById('chapter')!);
  mountTraining(document.getElementById('training')!);
}

void main();
