import type { StartedPeer } from '@tapegrad/bench';
import { jsonReport, runWorkload, startPeers, workloadByName } from '@tapegrad/bench';
import { beforeAll, describe, expect, it } from 'vitest';
import { torchThreads } from '../src/peers/torch.ts';

// TensorFlow.js (wasm), jax-js, PyTorch (a subprocess, where python3-torch is installed) and the C step on OpenBLAS (an addon, where gcc and libopenblas-dev are installed) on
// the same networks, in this process: their gradients must agree with the manual engine before they are timed. Speed
// is only looked at for its shape.

let peers: StartedPeer[] = [];
beforeAll(async () => {
  peers = await startPeers();
});

describe('peers', () => {
  it('start in Node, or say why not', () => {
    expect(peers.map((p) => p.name)).toEqual(['tfjs-wasm', 'jax-js', 'openblas', 'torch']);
    for (const p of peers) expect(p.detail.length).toBeGreaterThan(0);
  });

  it('agree with the manual engine on the spiral and get a training-step figure', async () => {
    const r = await runWorkload(workloadByName('spiral'), 'float32', { quick: true, peers, speedBudgetS: 4 });
    expect(r.equality.pass).toBe(true);
    for (const p of r.peers) {
      if (p.detail.startsWith('cannot run here')) {
        expect(p.note).toBe('unavailable');
        continue;
      }
      expect(p.equality?.pass, `${p.name}: ${JSON.stringify(p.equality)}`).toBe(true);
      expect(p.speed?.medianMs).toBeGreaterThan(0);
    }
    const json = jsonReport([r]) as { workloads: { peers: { name: string }[] }[] };
    // PyTorch, which times itself in its subprocess, has a row per thread count where it runs
    const rows = peers.flatMap((p) => (p.name === 'torch' && p.peer !== null ? torchThreads().map((t) => `torch ×${t}`) : [p.name]));
    expect(json.workloads[0].peers.map((p) => p.name)).toEqual(rows);
  });

  it('are float32 only', async () => {
    const r = await runWorkload(workloadByName('chapter'), 'float64', { quick: true, peers, speed: false });
    expect(r.peers.map((p) => p.note)).toEqual(peers.map((p) => (p.peer ? 'float32 only' : 'unavailable')));
  });

  it('are not timed when tapegrad has no speed figure', async () => {
    const r = await runWorkload(workloadByName('chapter'), 'float32', { quick: true, peers, speed: false });
    for (const p of r.peers.filter((x) => x.equality !== null)) {
      expect(p.equality!.pass).toBe(true);
      expect(p.speed).toBeNull();
    }
  });
});
