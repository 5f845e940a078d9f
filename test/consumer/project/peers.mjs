// The bench installed without its optional peers: it loads, and asking for a peer says which packages to install.
import { startPeers } from '@tapegrad/bench';

const peers = await startPeers(['tfjs-wasm', 'jax-js']);
console.log(JSON.stringify(peers.map((p) => ({ name: p.name, started: p.peer !== null, detail: p.detail }))));
