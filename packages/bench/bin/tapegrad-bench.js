#!/usr/bin/env node
// tapegrad-bench, the bench's command (the same as `pnpm bench` in the repository). tsx's loader is registered first
// so that a user's `--engine my-engine.ts` loads on any Node ≥ 20.6 without flags. The CLI itself is imported by the
// package's own name: an installed package runs its built dist/cli.js, the repository (whose pnpm runs Node with
// --conditions=@tapegrad/source) its TypeScript source.
import { register } from 'tsx/esm/api';

register();
const { runCommand } = await import('@tapegrad/bench/cli');
await runCommand('tapegrad-bench');
