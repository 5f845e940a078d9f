'use strict';
// A CommonJS program using the installed packages through require() (Node's require(esm), from 20.19 and 22.12).
const autograd = require('@tapegrad/autograd');
const kernels = require('@tapegrad/autograd/kernels');
const manual = require('@tapegrad/manual');
// the bench's module graph loads through require() too (require(esm) refuses a graph with top-level await)
const { lockstep } = require('@tapegrad/bench');
if (typeof lockstep !== 'function') throw new Error("require('@tapegrad/bench') did not give its exports");
const { trainAndCheck } = require('./train-and-check.cjs');

console.log(JSON.stringify(trainAndCheck({ autograd, kernels, manual })));
