import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getKernelThreads } from '@tapegrad/autograd/kernels';
import type { Batch } from '../datasets/dataset.ts';
import type { NetworkSpec, Params } from '../engine.ts';
import { hiddenActivations } from '../engine.ts';
import type { OpenblasAddon } from '../openblas.ts';
import { cpuFlags, encodeProblem, loadOpenblasAddon, openblasCoreFor } from '../openblas.ts';
import type { Peer, PeerSession } from './peer.ts';

// The training step in C on OpenBLAS (native/openblas-mlp.c), compiled at start() into a Node addon and loaded into
// this process: not a JavaScript library like the other peers, but the native floor the performance issue compares
// against ("OpenBLAS C"), timed the same way. It runs on as many OpenBLAS threads as tapegrad has kernel threads.
// Needs gcc, libopenblas-dev and Node's headers; without them it is reported unavailable, with the reason.

let addon: OpenblasAddon | null = null;

export const openblasPeer: Peer = {
  name: 'openblas',

  async start() {
    if (addon === null) {
      const dir = mkdtempSync(join(tmpdir(), 'tapegrad-openblas-'));
      try {
        addon = loadOpenblasAddon(dir, openblasCoreFor(cpuFlags()));
      } finally {
        rmSync(dir, { recursive: true, force: true }); // loaded: the file is no longer needed
      }
    }
    return `OpenBLAS (${addon.core()} kernels, ${getKernelThreads()} threads), the step in C (gcc -O3 -march=native), as a Node addon`;
  },

  load(spec: NetworkSpec, params: Params, batch: Batch, lr: number): PeerSession {
    if (addon === null) throw new Error('openblas: load() before start()');
    const a = addon;
    const activations = new Set(hiddenActivations(spec));
    if (activations.size > 1) throw new Error(`openblas: one activation for every hidden layer; got ${[...activations].join(', ')}`);
    const activation = activations.size === 0 ? 'relu' : [...activations][0];
    const session = a.load(encodeProblem({ sizes: spec.sizes, activation, params, batch, lr }), getKernelThreads());
    const s = spec.sizes;
    return {
      gradients() {
        const g = a.gradients(session);
        return {
          loss: g.loss,
          dW: g.dW.map((data, l) => ({ data, shape: [s[l], s[l + 1]] })),
          db: g.db.map((data, l) => ({ data, shape: [s[l + 1]] })),
        };
      },
      step: () => a.step(session),
      dispose: () => a.free(session),
    };
  },
};
