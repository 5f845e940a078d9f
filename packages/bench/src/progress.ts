import cliProgress from 'cli-progress';
import { fitColumns } from './columns.ts';
import type { ProgressSink } from './run.ts';

// Progress that stays visible without flooding logs: a live bar per phase on a terminal, and on anything else
// (a pipe, a file, or any output when the CI variable is set) one plain line when each phase ends.

/** Whether live output (progress bars) suits `stream`: a terminal, and not in CI (where CI is set, as CI systems do). */
export function liveOutput(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI.toLowerCase() !== 'false';
  return stream.isTTY === true && !ci;
}

export function progressFor(prefix: string, stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): ProgressSink {
  return liveOutput(stream, env) ? barProgress(prefix, stream as NodeJS.WriteStream) : lineProgress(prefix, stream);
}

function lineProgress(prefix: string, stream: NodeJS.WritableStream): ProgressSink {
  let label = '';
  let started = 0;
  return {
    phase(l) {
      label = l;
      started = performance.now();
    },
    tick() {},
    end(summary) {
      stream.write(endLine(prefix, label, summary, started));
    },
  };
}

function barProgress(prefix: string, stream: NodeJS.WriteStream): ProgressSink {
  let bar: cliProgress.SingleBar | null = null;
  let label = '';
  let started = 0;
  return {
    phase(l, total) {
      label = l;
      started = performance.now();
      bar = new cliProgress.SingleBar(
        { format: `${prefix} ${l} [{bar}] {value}/{total} {duration}s {note}`, stream, clearOnComplete: true, hideCursor: true, barsize: 20 },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { note: '' });
    },
    tick(done, total, note) {
      bar?.setTotal(total);
      bar?.update(done, { note: note ?? '' });
    },
    end(summary) {
      bar?.stop();
      bar = null;
      stream.write(endLine(prefix, label, summary, started));
    },
  };
}

/** The line a phase ends with: what it found and how long it took, wrapped to the terminal's 120 columns. */
function endLine(prefix: string, label: string, summary: string, started: number): string {
  return `${fitColumns(`${prefix} ${label}: ${summary} (${((performance.now() - started) / 1000).toFixed(1)} s)`)}\n`;
}
