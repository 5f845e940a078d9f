// The terminal's width that the bench lays its output out for: 120 columns. Tables are built to fit it; a line of
// prose longer than that (a workload's tolerance, its lockstep, the summary's caption) is wrapped at word boundaries,
// its continuation lines indented two spaces past its own indent, so that a 120-column terminal never breaks a word.
import wrapAnsi from 'wrap-ansi';

export const TERMINAL_COLUMNS = 120;

/** A table's border or row (cli-table3's box drawing): left as it is, tables being laid out to fit on their own. */
const TABLE_LINE = /^[┌│└├]/;

/** `text` with every line wider than `columns` wrapped (widths counted as a terminal shows them: × and δ are one). */
export function fitColumns(text: string, columns = TERMINAL_COLUMNS): string {
  return text
    .split('\n')
    .map((line) => {
      if (TABLE_LINE.test(line)) return line;
      const indent = /^ */.exec(line)![0];
      const content = line.slice(indent.length);
      // a line that fits (as wrap-ansi measures it) stays whole; one that does not leaves room for the hanging indent
      if (!wrapAnsi(content, columns - indent.length, { hard: true, trim: false }).includes('\n')) return line;
      const wrapped = wrapAnsi(content, columns - indent.length - 2, { hard: true, trim: true });
      return wrapped
        .split('\n')
        .map((part, i) => (i === 0 ? indent : `${indent}  `) + part)
        .join('\n');
    })
    .join('\n');
}
