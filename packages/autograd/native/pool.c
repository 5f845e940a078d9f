/*
 * The native kernels' thread pool (pool.h). A worker that has run a part waits for the next one spinning for a
 * while (SPIN_NS), because in a training step the next product comes within microseconds and waking a sleeping
 * thread takes tens of them; after that it sleeps on a condition variable, so an idle process holds no core. It
 * spins yielding the core to any other thread that wants it (as OpenBLAS's own threads do): the wasm kernels' workers
 * run the step's element-wise passes between the products, and a spinner that only paused made the backward pass
 * 10% slower.
 */
#include "pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#define RELAX() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define RELAX() __asm__ __volatile__("yield")
#else
#define RELAX() ((void)0)
#endif

/* How long a worker spins for the next part before it sleeps: longer than the gaps between a training step's kernels
   (the tape's JavaScript and the wasm element-wise passes between them: tens of µs to a tenth of a ms), short enough
   not to hold a core for long after a user's loop turns to other work. */
#define SPIN_NS 300000

static struct {
  pthread_mutex_t callers; /* held through a pool_run: one kernel at a time on the pool */
  pthread_mutex_t lock;    /* with wake: the sleeping workers */
  pthread_cond_t wake;
  int sleepers;            /* under lock */
  /* A run's number (above the low 8 bits) and how many workers help in it (the low 8 bits): a worker that sees it
     change runs its part if it is one of them, and only then reads task, context and parts, which this thread does
     not write again before every helper is done. */
  atomic_uint generation;
  atomic_int pending;      /* the helpers' parts of this run not yet done */
  pool_task task;
  void *context;
  int parts;
  int workers;             /* threads started: worker w runs part w (1 ≤ w ≤ workers); under callers */
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, NULL, NULL, 1, 0};

static uint64_t nanoseconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Waits until the generation differs from `seen` and returns it: spinning first, then asleep. */
static unsigned next_generation(unsigned seen) {
  const uint64_t until = nanoseconds() + SPIN_NS;
  for (unsigned spins = 1;; spins++) {
    const unsigned g = atomic_load_explicit(&pool.generation, memory_order_acquire);
    if (g != seen) return g;
    if (spins % 64 == 0) {
      if (nanoseconds() > until) break;
      sched_yield();
    }
    RELAX();
  }
  pthread_mutex_lock(&pool.lock);
  unsigned g;
  while ((g = atomic_load_explicit(&pool.generation, memory_order_acquire)) == seen) {
    pool.sleepers++;
    pthread_cond_wait(&pool.wake, &pool.lock);
    pool.sleepers--;
  }
  pthread_mutex_unlock(&pool.lock);
  return g;
}

/* The generation each worker was started at: the run it was started for raises it before the thread may begin. */
static unsigned startedAt[POOL_MAX_PARTS];

static void *worker(void *argument) {
  const int w = (int)(intptr_t)argument;
  unsigned seen = startedAt[w];
  for (;;) {
    seen = next_generation(seen);
    if (w <= (int)(seen & 0xff)) {
      pool.task(pool.context, w, pool.parts);
      atomic_fetch_sub_explicit(&pool.pending, 1, memory_order_release);
    }
  }
  return NULL;
}

/* Starts workers until `count` run (or one cannot be started); under callers. */
static void start_workers(int count) {
  while (pool.workers < count) {
    pthread_t thread;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    startedAt[pool.workers + 1] = atomic_load_explicit(&pool.generation, memory_order_relaxed);
    const int failed = pthread_create(&thread, &attributes, worker, (void *)(intptr_t)(pool.workers + 1));
    pthread_attr_destroy(&attributes);
    if (failed) return;
    pool.workers++;
  }
}

void pool_run(pool_task task, void *context, int parts) {
  if (parts <= 1) {
    task(context, 0, 1);
    return;
  }
  pthread_mutex_lock(&pool.callers);
  start_workers(parts - 1 < POOL_MAX_PARTS - 1 ? parts - 1 : POOL_MAX_PARTS - 1);
  const int helped = pool.workers < parts - 1 ? pool.workers : parts - 1;
  pool.task = task;
  pool.context = context;
  pool.parts = parts;
  atomic_store_explicit(&pool.pending, helped, memory_order_relaxed);
  const unsigned run = (atomic_load_explicit(&pool.generation, memory_order_relaxed) >> 8) + 1;
  atomic_store_explicit(&pool.generation, run << 8 | (unsigned)helped, memory_order_release);
  pthread_mutex_lock(&pool.lock);
  if (pool.sleepers > 0) pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.lock);
  /* this thread's part, and those of workers that could not be started */
  task(context, 0, parts);
  for (int p = helped + 1; p < parts; p++) task(context, p, parts);
  for (unsigned spins = 1; atomic_load_explicit(&pool.pending, memory_order_acquire) != 0; spins++) {
    if (spins % 64 == 0) sched_yield(); /* a helper descheduled by another thread: let it run */
    RELAX();
  }
  pthread_mutex_unlock(&pool.callers);
}
