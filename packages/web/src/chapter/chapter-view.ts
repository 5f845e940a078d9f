import type { DType } from '@tapegrad/autograd';
import type { MLPParams } from '@tapegrad/manual';
import { chapterExample } from '@tapegrad/manual';
import { formatNumber, gridOf, h } from '../format.ts';
import { state } from '../hook.ts';
import type { ChapterInput, SymbolRow } from './chapter-model.ts';
import { chapterRows } from './chapter-model.ts';

// The chapter section: editors for the sample x, its class and every weight and bias of the 2-2-2-3 network, and
// the table of every symbol from both engines with the ulps between them. Any edit recomputes the whole table.

const SUP = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];

/** A number input whose value is read back as a number, or NaN where the reader left it unreadable. */
function numberInput(value: number, label: string, onInput: () => void): HTMLInputElement {
  const input = h('input', { type: 'number', step: '0.05', value: String(value), className: 'num' });
  input.setAttribute('aria-label', label);
  input.dataset.label = label;
  input.addEventListener('input', onInput);
  return input;
}

export function mountChapter(root: HTMLElement): void {
  const ex = chapterExample;
  const n = ex.sizes.length - 1;
  const error = h('p', { className: 'error', hidden: true });
  const table = h('table', { className: 'symbols' });
  const recompute = () => update();

  const xInputs = ex.sample.x.map((v, j) => numberInput(v, `x${j + 1}`, recompute));
  xInputs.forEach((el, j) => (el.id = `x${j + 1}`));
  const label = h('select', { id: 'label' });
  for (let k = 0; k < ex.sizes[n]; k++) label.append(h('option', { value: String(k), textContent: `class ${k}` }));
  label.value = String(ex.sample.y.indexOf(1));
  label.addEventListener('change', recompute);
  const yText = h('span', { className: 'onehot' });
  const dtype = h('select', { id: 'chapter-dtype' }, h('option', { value: 'float64', textContent: 'float64' }), h('option', { value: 'float32', textContent: 'float32' }));
  dtype.addEventListener('change', recompute);

  const W: HTMLInputElement[][][] = [];
  const b: HTMLInputElement[][] = [];
  const layers = h('div', { className: 'layers' });
  for (let l = 1; l <= n; l++) {
    const Wl = ex.params.W[l - 1].map((row, i) => row.map((v, j) => numberInput(v, `W${SUP[l]}[${i + 1}][${j + 1}]`, recompute)));
    const bl = ex.params.b[l - 1].map((v, j) => numberInput(v, `b${SUP[l]}[${j + 1}]`, recompute));
    Wl.forEach((row, i) => row.forEach((el, j) => (el.id = `W${l}-${i}-${j}`)));
    bl.forEach((el, j) => (el.id = `b${l}-${j}`));
    W.push(Wl);
    b.push(bl);
    const grid = (cells: HTMLInputElement[][]) => gridOf('matrix-input', cells[0].length, cells.flat());
    layers.append(
      h('fieldset', {}, h('legend', { textContent: `layer ${l}${l === n ? ' (softmax)' : ` (${ex.activation})`}` }), h('div', { className: 'param' }, h('span', { textContent: `W${SUP[l]}` }), grid(Wl)), h('div', { className: 'param' }, h('span', { textContent: `b${SUP[l]}` }), grid([bl]))),
    );
  }
  const reset = h('button', { type: 'button', id: 'chapter-reset', textContent: "The chapter's values" });
  reset.addEventListener('click', () => {
    ex.sample.x.forEach((v, j) => (xInputs[j].value = String(v)));
    label.value = String(ex.sample.y.indexOf(1));
    ex.params.W.forEach((Wl, i) => Wl.forEach((row, r) => row.forEach((v, c) => (W[i][r][c].value = String(v)))));
    ex.params.b.forEach((bl, i) => bl.forEach((v, c) => (b[i][c].value = String(v))));
    update();
  });

  root.append(
    h(
      'div',
      { className: 'editors' },
      h('fieldset', {}, h('legend', { textContent: 'sample' }), h('div', { className: 'param' }, h('span', { textContent: 'x = a⁰' }), gridOf('matrix-input', xInputs.length, xInputs)), h('div', { className: 'param' }, h('span', { textContent: 'y' }), label, yText), h('div', { className: 'param' }, h('span', { textContent: 'dtype' }), dtype)),
      layers,
      h('div', { className: 'buttons' }, reset),
    ),
    error,
    table,
  );

  /** The inputs as numbers, or the name of the first one that is not a number. */
  function read(): ChapterInput | string {
    const value = (el: HTMLInputElement) => (el.value.trim() === '' ? NaN : Number(el.value));
    const all = [...xInputs, ...W.flat(2), ...b.flat()];
    for (const el of all) el.classList.toggle('invalid', !Number.isFinite(value(el)));
    const bad = all.find((el) => !Number.isFinite(value(el)));
    if (bad !== undefined) return `${bad.dataset.label} is ${bad.value === '' ? 'empty' : JSON.stringify(bad.value)}; expected a number`;
    const params: MLPParams = { W: W.map((Wl) => Wl.map((row) => row.map(value))), b: b.map((bl) => bl.map(value)) };
    return { sizes: ex.sizes, activation: ex.activation, x: xInputs.map(value), label: Number(label.value), params, dtype: dtype.value as DType };
  }

  function update(): void {
    const input = read();
    yText.textContent = `= [${Array.from({ length: ex.sizes[n] }, (_, k) => (k === Number(label.value) ? 1 : 0)).join(', ')}]`;
    if (typeof input === 'string') return showError(input);
    let rows: SymbolRow[];
    try {
      rows = chapterRows(input);
    } catch (e) {
      return showError(e instanceof Error ? e.message : String(e));
    }
    error.hidden = true;
    renderTable(table, rows, input.dtype);
    state.chapter = { rows };
    state.chapterReady = true;
  }

  function showError(message: string): void {
    error.textContent = message;
    error.hidden = false;
    state.chapterReady = false;
  }

  update();
}

/** A matrix as a small grid of numbers, each carrying its exact value for the tests. */
function matrixCell(row: SymbolRow, engine: 'manual' | 'autograd' | 'ulps'): HTMLTableCellElement {
  const values = row[engine];
  const [, cols] = row.shape;
  const grid = gridOf('matrix', cols, []);
  values.forEach((v, i) => {
    const cell = h('span', { textContent: engine === 'ulps' ? String(v) : formatNumber(v) });
    if (engine === 'ulps') cell.className = v === 0 ? 'ulps zero' : 'ulps off';
    cell.dataset.key = row.key;
    cell.dataset.engine = engine;
    cell.dataset.index = String(i);
    cell.dataset.value = String(v);
    grid.append(cell);
  });
  return h('td', { className: engine }, grid);
}

function renderTable(table: HTMLTableElement, rows: readonly SymbolRow[], dtype: DType): void {
  const exact = rows.every((r) => r.ulps.every((u) => u === 0));
  const worst = Math.max(...rows.flatMap((r) => r.ulps));
  const head = h('thead', {}, h('tr', {}, h('th', { textContent: 'symbol' }), h('th', { textContent: "the chapter's equation" }), h('th', { textContent: 'manual (the chapter)' }), h('th', { textContent: 'autograd (the tape)' }), h('th', { textContent: `ulps (${dtype})` })));
  const body = h('tbody');
  let pass: SymbolRow['pass'] | null = null;
  for (const row of rows) {
    if (row.pass !== pass) {
      pass = row.pass;
      body.append(h('tr', { className: 'pass' }, h('th', { colSpan: 5, textContent: pass === 'forward' ? 'Forward pass, layer 1 up' : 'Backward pass, layer n down' })));
    }
    const tr = h('tr', {}, h('th', { className: 'symbol', textContent: row.symbol }), h('td', { className: 'equation', textContent: row.equation }), matrixCell(row, 'manual'), matrixCell(row, 'autograd'), matrixCell(row, 'ulps'));
    tr.dataset.key = row.key;
    body.append(tr);
  }
  const caption = h('caption', { id: 'chapter-summary', textContent: exact ? `Both engines agree bit for bit on every entry (${dtype}).` : `The engines agree to at most ${worst} ulp${worst === 1 ? '' : 's'} (${dtype}): the tape and the chapter do the same sums in a different order.` });
  table.replaceChildren(caption, head, body);
}
