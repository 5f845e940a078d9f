/*
 * The bench's training step in C on OpenBLAS (openblas-mlp.c), as a command-line program: the floor that "close
 * to what this CPU can do" is measured against (packages/bench/scripts/openblas.ts compiles and runs it).
 *
 * Usage: openblas-step PROBLEM THREADS CHECK_STEPS MIN_SAMPLE_MS SAMPLES
 * PROBLEM is a file in the format of mlp_load (openblas-mlp.h). Prints one JSON line: the kernel set OpenBLAS
 * runs, the loss before each of the first CHECK_STEPS steps (for the script to compare with the manual engine),
 * then the ms per step of SAMPLES timed samples of at least MIN_SAMPLE_MS each, in order.
 */
#include "openblas-mlp.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* OpenBLAS's own (declared in its cblas.h on most builds; repeated here for those where it is not) */
void openblas_set_num_threads(int num_threads);
char *openblas_get_corename(void);

static void die(const char *what) {
  fprintf(stderr, "openblas-step: %s\n", what);
  exit(2);
}

static Mlp *load(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) die("cannot open the problem file");
  if (fseek(f, 0, SEEK_END) != 0) die("cannot read the problem file");
  long length = ftell(f);
  if (length < 0 || fseek(f, 0, SEEK_SET) != 0) die("cannot read the problem file");
  uint8_t *bytes = malloc((size_t)length + 1);
  if (bytes == NULL) die("out of memory");
  if (fread(bytes, 1, (size_t)length, f) != (size_t)length) die("cannot read the problem file");
  fclose(f);
  const char *error = NULL;
  Mlp *m = mlp_load(bytes, (size_t)length, &error);
  free(bytes);
  if (m == NULL) die(error);
  return m;
}

static double nowMs(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  if (argc != 6) die("usage: openblas-step PROBLEM THREADS CHECK_STEPS MIN_SAMPLE_MS SAMPLES");
  int threads = atoi(argv[2]), checkSteps = atoi(argv[3]), samples = atoi(argv[5]);
  double minSampleMs = atof(argv[4]);
  if (threads < 1 || checkSteps < 0 || samples < 1 || samples > 10000 || !(minSampleMs > 0)) die("bad arguments");
  Mlp *m = load(argv[1]);
  openblas_set_num_threads(threads);
  printf("{\"threads\":%d,\"core\":\"%s\",\"losses\":[", threads, openblas_get_corename());
  for (int s = 0; s < checkSteps; s++) printf("%s%.9g", s ? "," : "", mlp_step(m));
  /* calibrate: steps per sample so that one sample lasts at least minSampleMs */
  long per = 1;
  for (;;) {
    double t = nowMs();
    for (long i = 0; i < per; i++) mlp_step(m);
    if (nowMs() - t >= minSampleMs) break;
    per *= 2;
  }
  printf("],\"stepsPerSample\":%ld,\"sampleMs\":[", per);
  for (int s = 0; s < samples; s++) {
    double t = nowMs();
    for (long i = 0; i < per; i++) mlp_step(m);
    printf("%s%.6g", s ? "," : "", (nowMs() - t) / per);
  }
  printf("]}\n");
  mlp_free(m);
  return 0;
}
