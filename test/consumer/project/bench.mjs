// The bench as a library, installed without its optional peers: the README's lockstep check of an engine against the
// manual one runs, and asking for a peer says which packages to install.
import { autogradEngine, chapterDataset, initParams, lockstep, makeBatches, manualEngine, startPeers } from '@tapegrad/bench';

const spec = { sizes: [2, 2, 2, 3], activation: 'sigmoid' };
const params = initParams(spec.sizes, spec.activation, 0);
const mine = autogradEngine(spec, 'float64');
const reference = manualEngine(spec, 'float64');
mine.setParams(params);
reference.setParams(params);
const batches = makeBatches(chapterDataset(), 3, 4, 0);
const { equality } = lockstep(mine, reference, autogradEngine(spec, 'float64'), batches, 'float64', { steps: 4, lr: 0.5 });

const peers = await startPeers(['tfjs-wasm', 'jax-js']);
console.log(JSON.stringify({
  lockstep: { pass: equality.pass, maxRel: equality.maxRel },
  peers: peers.map((p) => ({ name: p.name, started: p.peer !== null, detail: p.detail })),
}));
