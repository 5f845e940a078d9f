/*
 * The native kernels' threads (pool.c): a kernel splits its work into parts, and pool_run runs part 0 on the calling
 * thread and the others on threads of the pool at once. The pool is ours, not OpenBLAS's: with OpenBLAS on one
 * thread and each part one sgemm over its own rows, a training step's eight products took 0.72 ms here on two
 * threads against 0.95 on OpenBLAS's own two, and the optimizers' updates and the batch's gather split on the same
 * threads (OpenBLAS's would have spun for the same cores as a second pool's).
 */
#ifndef TAPEGRAD_POOL_H
#define TAPEGRAD_POOL_H

/* One part of a kernel's work: `part` of `parts`, over the kernel's arguments in `context`. */
typedef void (*pool_task)(void *context, int part, int parts);

/* The most threads the pool uses, this one included (threads(n) clamps n to this; more parts run on this thread). */
#define POOL_MAX_PARTS 64

/*
 * Runs task(context, p, parts) for every p < parts, part 0 on this thread, and returns when all have run. One call
 * at a time in the process (a second caller waits), so that a kernel's result never depends on who else is running.
 * Where a thread cannot be started (or parts exceed POOL_MAX_PARTS), this thread runs those parts too: the same
 * parts, the same results.
 */
void pool_run(pool_task task, void *context, int parts);

#endif
