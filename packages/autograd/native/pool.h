/*
 * The native kernels' threads (pool.c): a kernel splits its work into parts, and pool_run runs part 0 on the calling
 * thread and the others on threads of the pool at once. The pool is ours, not OpenBLAS's: with OpenBLAS on one
 * thread and each part one sgemm over its own columns, a 128×784 by 784×256 product took 0.27-0.29 ms here on two
 * threads against 0.50-0.52 for OpenBLAS's own two (no faster than its one), and Adam's update can then be split the
 * same way.
 */
#ifndef TAPEGRAD_POOL_H
#define TAPEGRAD_POOL_H

/* One part of a kernel's work: `part` of `parts`, over the kernel's arguments in `context`. */
typedef void (*pool_task)(void *context, int part, int parts);

/* The most parts a kernel may split into (threads(n) clamps n to this). */
#define POOL_MAX_PARTS 64

/*
 * Runs task(context, p, parts) for every p < parts, part 0 on this thread, and returns when all have run. One call
 * at a time in the process (a second caller waits), so that a kernel's result never depends on who else is running.
 * Where a thread cannot be started, this thread runs its part too: the same parts, the same results.
 */
void pool_run(pool_task task, void *context, int parts);

#endif
