/*
 * The bench's training step in C on OpenBLAS: the floor that "close to what this CPU can do" is measured against
 * (packages/bench/scripts/openblas.ts compiles and runs it; see the bench README).
 *
 * The same float32 step as the manual engine (docs/backprop-chapter.md), W^l (in × out), z = a W + b:
 *   z^l = a^{l-1} W^l + b^l, a^l = act(z^l) (l < n), a^n = softmax(z^n), loss = mean_r -log a^n_{r, y_r}
 *   δ^n = (a^n − Y) / N, ∂W^l = (a^{l-1})ᵀ δ^l, ∂b^l = Σ_rows δ^l, δ^{l-1} = (δ^l (W^l)ᵀ) ⊙ act'(z^{l-1})
 *   W^l ← W^l − lr ∂W^l, b^l ← b^l − lr ∂b^l
 * with the three products as cblas_sgemm calls (no transpose materialised) and the updates as cblas_saxpy.
 *
 * Usage: openblas-step PROBLEM THREADS CHECK_STEPS MIN_SAMPLE_MS SAMPLES
 * PROBLEM is a little-endian binary file: int32 n (layers), int32 sizes[n + 1], int32 N, int32 activation
 * (0 relu, 1 sigmoid), float32 lr, then float32 W^1, b^1, …, W^n, b^n, float32 x (N × sizes[0]), int32 labels[N].
 * Prints one JSON line: the loss before each of the first CHECK_STEPS steps (for the script to compare with the
 * manual engine), then the ms per step of SAMPLES timed samples of at least MIN_SAMPLE_MS each, in order.
 */
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_LAYERS 16

/* OpenBLAS's own (declared in its cblas.h on most builds; repeated here for those where it is not) */
void openblas_set_num_threads(int num_threads);
char *openblas_get_corename(void);

static int n, N, activation, sizes[MAX_LAYERS + 1];
static float lr;
static float *W[MAX_LAYERS + 1], *b[MAX_LAYERS + 1], *dW[MAX_LAYERS + 1], *db[MAX_LAYERS + 1];
static float *z[MAX_LAYERS + 1], *a[MAX_LAYERS + 1], *delta[MAX_LAYERS + 1];
static int32_t *labels;

static void die(const char *what) {
  fprintf(stderr, "openblas-step: %s\n", what);
  exit(2);
}

static void *take(size_t count, size_t size) {
  void *p = calloc(count, size);
  if (p == NULL) die("out of memory");
  return p;
}

static void readAll(FILE *f, void *dst, size_t size, size_t count) {
  if (fread(dst, size, count, f) != count) die("problem file too short");
}

static void load(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) die("cannot open the problem file");
  readAll(f, &n, 4, 1);
  if (n < 1 || n > MAX_LAYERS) die("layer count out of range");
  readAll(f, sizes, 4, (size_t)n + 1);
  readAll(f, &N, 4, 1);
  readAll(f, &activation, 4, 1);
  readAll(f, &lr, 4, 1);
  for (int l = 1; l <= n; l++) {
    size_t in = (size_t)sizes[l - 1], out = (size_t)sizes[l];
    W[l] = take(in * out, 4);
    b[l] = take(out, 4);
    dW[l] = take(in * out, 4);
    db[l] = take(out, 4);
    z[l] = take((size_t)N * out, 4);
    a[l] = take((size_t)N * out, 4);
    delta[l] = take((size_t)N * out, 4);
    readAll(f, W[l], 4, in * out);
    readAll(f, b[l], 4, out);
  }
  a[0] = take((size_t)N * sizes[0], 4);
  readAll(f, a[0], 4, (size_t)N * sizes[0]);
  labels = take((size_t)N, 4);
  readAll(f, labels, 4, (size_t)N);
  fclose(f);
  for (int r = 0; r < N; r++) if (labels[r] < 0 || labels[r] >= sizes[n]) die("label out of range");
}

/* One SGD step on the batch; returns the loss before it. */
static double step(void) {
  for (int l = 1; l <= n; l++) {
    int in = sizes[l - 1], out = sizes[l];
    for (int r = 0; r < N; r++) memcpy(z[l] + (size_t)r * out, b[l], (size_t)out * 4); /* z = b, then += a W */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, out, in, 1.0f, a[l - 1], in, W[l], out, 1.0f, z[l], out);
    size_t count = (size_t)N * out;
    if (l < n && activation == 0) for (size_t i = 0; i < count; i++) a[l][i] = z[l][i] > 0 ? z[l][i] : 0;
    if (l < n && activation == 1) for (size_t i = 0; i < count; i++) a[l][i] = 1.0f / (1.0f + expf(-z[l][i]));
  }
  int k = sizes[n];
  double loss = 0;
  for (int r = 0; r < N; r++) {
    const float *zr = z[n] + (size_t)r * k;
    float *ar = a[n] + (size_t)r * k, *dr = delta[n] + (size_t)r * k;
    float m = zr[0];
    for (int j = 1; j < k; j++) m = zr[j] > m ? zr[j] : m;
    double s = 0;
    for (int j = 0; j < k; j++) s += exp((double)zr[j] - m);
    loss += m + log(s) - zr[labels[r]];
    for (int j = 0; j < k; j++) ar[j] = (float)(exp((double)zr[j] - m) / s);
    for (int j = 0; j < k; j++) dr[j] = (ar[j] - (j == labels[r] ? 1.0f : 0.0f)) / (float)N;
  }
  for (int l = n; l >= 1; l--) {
    int in = sizes[l - 1], out = sizes[l];
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, in, out, N, 1.0f, a[l - 1], in, delta[l], out, 0.0f, dW[l], out);
    for (int j = 0; j < out; j++) db[l][j] = 0;
    for (int r = 0; r < N; r++) for (int j = 0; j < out; j++) db[l][j] += delta[l][(size_t)r * out + j];
    if (l > 1) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, in, out, 1.0f, delta[l], out, W[l], out, 0.0f, delta[l - 1], in);
      size_t count = (size_t)N * in;
      float *d = delta[l - 1];
      const float *zp = z[l - 1], *ap = a[l - 1];
      if (activation == 0) for (size_t i = 0; i < count; i++) d[i] = zp[i] > 0 ? d[i] : 0;
      else for (size_t i = 0; i < count; i++) d[i] *= ap[i] * (1.0f - ap[i]);
    }
  }
  for (int l = 1; l <= n; l++) {
    cblas_saxpy(sizes[l - 1] * sizes[l], -lr, dW[l], 1, W[l], 1);
    cblas_saxpy(sizes[l], -lr, db[l], 1, b[l], 1);
  }
  return loss / N;
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
  load(argv[1]);
  openblas_set_num_threads(threads);
  printf("{\"threads\":%d,\"core\":\"%s\",\"losses\":[", threads, openblas_get_corename());
  for (int s = 0; s < checkSteps; s++) printf("%s%.9g", s ? "," : "", step());
  /* calibrate: steps per sample so that one sample lasts at least minSampleMs */
  long per = 1;
  for (;;) {
    double t = nowMs();
    for (long i = 0; i < per; i++) step();
    if (nowMs() - t >= minSampleMs) break;
    per *= 2;
  }
  double *ms = take((size_t)samples, sizeof(double));
  for (int s = 0; s < samples; s++) {
    double t = nowMs();
    for (long i = 0; i < per; i++) step();
    ms[s] = (nowMs() - t) / per;
  }
  printf("],\"stepsPerSample\":%ld,\"sampleMs\":[", per);
  for (int s = 0; s < samples; s++) printf("%s%.6g", s ? "," : "", ms[s]);
  printf("]}\n");
  return 0;
}
