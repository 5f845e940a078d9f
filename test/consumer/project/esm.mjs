// A plain Node ES module using the installed packages.
import * as autograd from '@tapegrad/autograd';
import * as kernels from '@tapegrad/autograd/kernels';
import * as manual from '@tapegrad/manual';
import { trainAndCheck } from './train-and-check.cjs';

console.log(JSON.stringify(trainAndCheck({ autograd, kernels, manual })));
