import type { SymbolRow } from './chapter/chapter-model.ts';
import type { StepRecord } from './training/trainer.ts';
import type { KernelsInfo } from './training/protocol.ts';

/**
 * What the page computed, exactly, for its tests (and anyone at the console): `window.__tapegrad`. The tables show
 * rounded numbers; these are the engines' own values.
 */
export interface PageState {
  /** The chapter section is computed for the current inputs. */
  chapterReady: boolean;
  chapter: { rows: readonly SymbolRow[] } | null;
  /** The kernels of the page's thread (the chapter) and of the training worker. */
  kernels: { page: KernelsInfo | null; worker: KernelsInfo | null };
  training: { total: number; running: boolean; records: StepRecord[]; accuracy: number | null; drift: { exact: boolean; maxUlps: number } | null; error: string | null };
}

export const state: PageState = {
  chapterReady: false,
  chapter: null,
  kernels: { page: null, worker: null },
  training: { total: 0, running: false, records: [], accuracy: null, drift: null, error: null },
};

(globalThis as unknown as { __tapegrad: PageState }).__tapegrad = state;
