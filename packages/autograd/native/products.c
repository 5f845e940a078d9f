/* The native addon's matrix product (kernels.c lists its arguments): OpenBLAS's sgemm/dgemm, split across the pool. */
#include <cblas.h>
#include <string.h>

#include "kernels.h"
#include "pool.h"

/* A product's arguments, shared by its parts: out (m×n) = op(a) · op(b) [+ bias] [then ReLU], and how it splits. */
typedef struct {
  int transA, transB, relu, m, k, n, lda, ldb, byColumns, chunk;
  const void *a, *b, *bias;
  void *out;
} Product;

/* out's block rows [i0, i1) × columns [j0, j1) = op(a) · op(b) there, then + bias and ReLU: z = a W + b; max(z, 0) */
#define BLOCK(T, GEMM)                                                                                              \
  do {                                                                                                              \
    const T *a = p->a, *b = p->b, *c = p->bias;                                                                     \
    T *o = p->out;                                                                                                  \
    const size_t n = (size_t)p->n;                                                                                  \
    const T *ai = p->transA ? a + i0 : a + i0 * (size_t)p->lda; /* op(a)'s rows i0… */                             \
    const T *bj = p->transB ? b + j0 * (size_t)p->ldb : b + j0; /* op(b)'s columns j0… */                          \
    if (p->k == 0)                                                                                                  \
      for (size_t i = i0; i < i1; i++) memset(o + i * n + j0, 0, (j1 - j0) * sizeof *o);                           \
    else                                                                                                            \
      GEMM(CblasRowMajor, p->transA ? CblasTrans : CblasNoTrans, p->transB ? CblasTrans : CblasNoTrans,           \
           (int)(i1 - i0), (int)(j1 - j0), p->k, 1, ai, p->lda, bj, p->ldb, 0, o + i0 * n + j0, (int)n);          \
    if (c != NULL || p->relu)                                                                                       \
      for (size_t i = i0; i < i1; i++)                                                                              \
        for (size_t j = j0; j < j1; j++) {                                                                          \
          T z = c == NULL ? o[i * n + j] : o[i * n + j] + c[j];                                                     \
          o[i * n + j] = p->relu ? (z > 0 ? z : 0) : z;                                                             \
        }                                                                                                           \
  } while (0)

/* The block of out that part `part` computes: a chunk of columns (all rows) or of rows (all columns) */
static void blockOf(const Product *p, int part, size_t *i0, size_t *i1, size_t *j0, size_t *j1) {
  const size_t along = p->byColumns ? (size_t)p->n : (size_t)p->m, from = (size_t)part * (size_t)p->chunk,
               to = from + (size_t)p->chunk < along ? from + (size_t)p->chunk : along;
  *i0 = p->byColumns ? 0 : from;
  *i1 = p->byColumns ? (size_t)p->m : to;
  *j0 = p->byColumns ? from : 0;
  *j1 = p->byColumns ? to : (size_t)p->n;
}

#define PRODUCT_PART(NAME, T, GEMM)                          \
  static void NAME(void *context, int part, int parts) {     \
    (void)parts;                                             \
    const Product *p = context;                              \
    size_t i0, i1, j0, j1;                                   \
    blockOf(p, part, &i0, &i1, &j0, &j1);                    \
    BLOCK(T, GEMM);                                          \
  }
PRODUCT_PART(productF32, float, cblas_sgemm)
PRODUCT_PART(productF64, double, cblas_dgemm)

/* ~20 µs on a core: a step's 128×128×10 products (0.006 ms) took 0.009-0.017 ms split in two; 128×256×128 gained */
#define PART_WORK (1 << 19)

/*
 * How a product splits: into parts of at least PART_WORK multiply-adds, at most one a thread, by blocks of rows
 * (each part one sgemm over its rows of op(a), which packs all of op(b)), or of columns (whole cache lines of out and
 * of b) where out has too few rows. Rows beat columns on every product of a training step here, two threads:
 * xᵀδ (784×128 by 128×256) 0.26 ms against 0.39, x W (128×784 by 784×256) 0.27 against 0.29, the 128-wide ones
 * 0.045-0.049 against 0.058-0.069. The parts, and so the order of the sums, depend on the thread count, as
 * OpenBLAS's own threads' did. Returns the number of parts; sets p->byColumns and p->chunk.
 */
static int productParts(Product *p, int lineElements) {
  const double work = (double)p->m * p->n * p->k, most = work / PART_WORK;
  const int parts = most < 2 ? 1 : most < threadCount ? (int)most : threadCount;
  p->byColumns = 1;
  p->chunk = p->n;
  if (parts <= 1) return 1;
  if (p->m >= 16 * parts) {
    p->byColumns = 0;
    p->chunk = (p->m + 8 * parts - 1) / (8 * parts) * 8;
    return (p->m + p->chunk - 1) / p->chunk;
  }
  if (p->n >= 2 * lineElements * parts) {
    p->chunk = (p->n + parts * lineElements - 1) / (parts * lineElements) * lineElements;
    return (p->n + p->chunk - 1) / p->chunk;
  }
  return 1;
}

napi_value gemm(napi_env env, napi_callback_info info) {
  napi_value argv[10];
  if (!arguments(env, info, 10, argv, "native kernels: gemm takes 10 arguments")) return NULL;
  bool transA, transB, relu;
  int32_t m, k, n;
  CHECK(napi_get_value_bool(env, argv[0], &transA));
  CHECK(napi_get_value_bool(env, argv[1], &transB));
  CHECK(napi_get_value_int32(env, argv[5], &m));
  CHECK(napi_get_value_int32(env, argv[6], &k));
  CHECK(napi_get_value_int32(env, argv[7], &n));
  CHECK(napi_get_value_bool(env, argv[9], &relu));
  napi_typedarray_type ta, tb, tout, tbias = napi_float32_array;
  void *a, *b, *out, *bias = NULL;
  size_t length; /* checked in JS */
  if (!floats(env, argv[2], "native kernels: gemm: a is not a float array", &ta, &a, &length)) return NULL;
  if (!floats(env, argv[3], "native kernels: gemm: b is not a float array", &tb, &b, &length)) return NULL;
  if (!floats(env, argv[4], "native kernels: gemm: out is not a float array", &tout, &out, &length)) return NULL;
  napi_valuetype biasType;
  CHECK(napi_typeof(env, argv[8], &biasType));
  if (biasType != napi_null && !floats(env, argv[8], "native kernels: gemm: bias is not a float array", &tbias, &bias, &length)) return NULL;
  if (ta != tout || tb != tout || (bias != NULL && tbias != tout)) {
    napi_throw_type_error(env, NULL, "native kernels: gemm: a, b, out and bias must share one dtype");
    return NULL;
  }
  if (m <= 0 || n <= 0 || k < 0) {
    napi_throw_range_error(env, NULL, "native kernels: gemm: m and n must be positive, k not negative");
    return NULL;
  }
  /* k = 0 is an empty sum: out = 0 (cblas would reject a leading dimension of 0) */
  Product p = {transA, transB, relu, m, k, n, transA ? m : (k > 0 ? k : 1), transB ? (k > 0 ? k : 1) : n, 1, n, a, b, bias, out};
  const int f32 = tout == napi_float32_array, parts = productParts(&p, f32 ? 16 : 8);
  pool_run(f32 ? productF32 : productF64, &p, parts);
  return argv[4];
}

