import type { UserEngineFactory } from '@tapegrad/bench';

/** The correct plain-JavaScript engine of plain-mlp.js, with step, forward and backward. */
export declare const engine: UserEngineFactory;
