import cliProgress from 'cli-progress';
import type { ProgressSink } from './run.ts';

// Progress that stays visible without flooding logs: a live bar per phase on a terminal, and on anything else
// (CI, a pipe, a file) one plain line when each phase ends.

export function progressFor(prefix: string, stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout): ProgressSink {
  return stream.isTTY === true ? barProgress(prefix, stream as NodeJS.WriteStream) : lineProgress(prefix, stream);
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
      stream.write(`${prefix} ${label}: ${summary} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
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
      stream.write(`${prefix} ${label}: ${summary} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
    },
  };
}
