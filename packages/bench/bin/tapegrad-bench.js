#!/usr/bin/env node
// tapegrad-bench, the bench's command (the same as `pnpm bench` in the repository). The package ships its
// TypeScript sources, so tsx's loader is registered before they are imported; it also loads a user's
// `--engine my-engine.ts` on any Node ≥ 20.6, without flags.
import { register } from 'tsx/esm/api';

register();
const { runCommand } = await import('../src/cli.ts');
await runCommand('tapegrad-bench');
