import type { DType } from '@tapegrad/autograd/kernels';
import type { Divergence } from '../compare.ts';
import { compareSymbols, TOLERANCES } from '../compare.ts';
import type { Batch } from '../datasets/dataset.ts';
import type { NetworkSpec, Params, Symbols } from '../engine.ts';
import type { SpeedPlan } from '../speed.ts';
import { runBenchmark, warmUp } from '../speed.ts';
import { median } from '../median.ts';
import type { Peer } from './peer.ts';

export type { Peer, PeerGradients, PeerSession } from './peer.ts';

export const PEER_NAMES = ['tfjs-wasm', 'jax-js', 'openblas'] as const;
export type PeerName = (typeof PEER_NAMES)[number];

/** A peer ready to run, or why it is not. */
export interface StartedPeer {
  readonly name: string;
  readonly peer: Peer | null;
  /** Version and backend when it started; the error when it did not. */
  readonly detail: string;
}

/** The npm packages each peer runs on: optional peer dependencies of @tapegrad/bench, installed by whoever wants them. */
export const PEER_PACKAGES: Readonly<Record<PeerName, readonly string[]>> = {
  'tfjs-wasm': ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'],
  'jax-js': ['@jax-js/jax'],
  openblas: [],
};

/** Why a peer could not start: for a package of its that is not installed, which packages to install. */
export function peerFailure(name: PeerName, e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown } | null)?.code;
  const packages = PEER_PACKAGES[name];
  if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && packages.some((p) => message.includes(`'${p}'`))) {
    return `${packages.join(' and ')} not installed (optional peer dependencies of @tapegrad/bench: npm install ${packages.join(' ')})`;
  }
  return message;
}

/** The module of each peer, imported only when it is asked for. */
async function importPeer(name: PeerName): Promise<Peer> {
  if (name === 'tfjs-wasm') return (await import('./tfjs.ts')).tfjsPeer;
  if (name === 'jax-js') return (await import('./jax.ts')).jaxPeer;
  return (await import('./openblas.ts')).openblasPeer;
}

/** Imports and starts the peers (lazily: without --peers none of their libraries is ever loaded). Never throws. */
export async function startPeers(names: readonly PeerName[] = PEER_NAMES): Promise<StartedPeer[]> {
  const out: StartedPeer[] = [];
  for (const name of names) {
    try {
      const peer = await importPeer(name);
      out.push({ name, peer, detail: await peer.start() });
    } catch (e) {
      out.push({ name, peer: null, detail: `cannot run here: ${peerFailure(name, e)}` });
    }
  }
  return out;
}

export interface PeerResult {
  readonly name: string;
  readonly detail: string;
  /** Gradients and loss of the first step against the reference engine, float32 tolerance. */
  readonly equality: { readonly pass: boolean; readonly maxRel: number; readonly firstDivergence: Divergence | null } | null;
  readonly speed: { readonly medianMs: number; readonly rme: number; readonly samples: number } | null;
  /** Why there is no equality or speed figure. */
  readonly note?: string;
}

export interface PeerRunContext {
  readonly spec: NetworkSpec;
  readonly dtype: DType;
  readonly params: Params;
  readonly batch: Batch;
  readonly lr: number;
  /** The reference engine's symbols for `batch` at `params`. */
  readonly reference: { readonly name: string; readonly symbols: Symbols };
  /** Whether tapegrad's own engines passed their check in this run. */
  readonly enginesPassed: boolean;
  /** Benchmark settings of the workload (the peers time their training step only). */
  readonly plan: SpeedPlan | null;
}

/** Checks each peer's gradients against the reference engine, then times its training step. Never throws. */
export async function runPeers(peers: readonly StartedPeer[], ctx: PeerRunContext): Promise<PeerResult[]> {
  const out: PeerResult[] = [];
  for (const p of peers) {
    const base = { name: p.name, detail: p.detail };
    if (p.peer === null) {
      out.push({ ...base, equality: null, speed: null, note: 'unavailable' });
      continue;
    }
    if (ctx.dtype !== 'float32') {
      out.push({ ...base, equality: null, speed: null, note: 'float32 only' });
      continue;
    }
    let session = null;
    try {
      session = p.peer.load(ctx.spec, ctx.params, ctx.batch, ctx.lr);
      const t0 = performance.now();
      const g = session.gradients();
      const ms = performance.now() - t0;
      const ref = ctx.reference.symbols;
      const symbols: Symbols = { loss: g.loss, layers: ref.layers.map((L, i) => ({ ...L, dW: g.dW[i], db: g.db[i] })) };
      const r = compareSymbols({ name: p.name, symbols }, ctx.reference, 'float32', TOLERANCES.float32, ['loss', 'dW', 'db']);
      const equality = { pass: r.pass, maxRel: r.maxRel, firstDivergence: r.firstDivergence };
      if (!r.pass || !ctx.enginesPassed || ctx.plan === null) {
        const note = !r.pass ? 'gradients differ from the manual engine' : !ctx.enginesPassed ? 'tapegrad check failed' : 'speed not measured';
        out.push({ ...base, equality, speed: null, note });
        continue;
      }
      const s = session;
      warmUp(() => s.step(), ctx.plan.maxTime / 4);
      const bench = await runBenchmark(`${p.name} step`, () => void s.step(), {
        minSamples: ctx.plan.minSamples,
        maxTime: ctx.plan.maxTime,
        slow: ms > 20,
      });
      out.push({ ...base, equality, speed: { medianMs: median(bench.stats.sample) * 1000, rme: bench.stats.rme, samples: bench.stats.sample.length } });
    } catch (e) {
      out.push({ ...base, equality: null, speed: null, note: `failed: ${e instanceof Error ? e.message : String(e)}` });
    } finally {
      session?.dispose();
    }
  }
  return out;
}
