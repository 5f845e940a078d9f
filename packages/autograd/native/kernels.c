/*
 * The native backend's kernels (src/kernels/native/): the matrix products on OpenBLAS and Adam's update, as a Node
 * addon in plain C over Node-API (ABI-stable: one build serves every Node version). src/kernels/platform/
 * node-native.ts compiles it on the machine that runs it, with the system's C compiler, and loads it:
 *   gemm(transA, transB, a, b, out, m, k, n, bias, relu) → out
 *       out (m×n) = op(a) · op(b) [+ bias on every row] [then max(·, 0)], row-major, where op(a) is a (m×k) or,
 *       with transA, aᵀ with a stored k×m; op(b) is b (k×n) or, with transB, bᵀ with b stored n×k. a, b, out (and
 *       bias, or null) are all Float32Array or all Float64Array (plain or shared memory); lengths are checked in JS.
 *   adam(theta, grad, m, v, vMax, stepSize, bias2Sqrt, beta1, beta2, eps, weightDecay, decay, sign)
 *       Adam's update of one parameter in place (vMax: AMSGrad's running maximum, or null), as adamRef
 *       (src/kernels/reference.ts) computes it, bit for bit: on float32 every operation rounded to float32, which
 *       plain C float arithmetic does when it may not fuse a multiply and an add (compiled -ffp-contract=off).
 *       Here rather than in wasm because the gradient then needs no copy into the wasm memory.
 *   sgd(theta, grad, b, lr, momentum, dampening, weightDecay, sign, first, nesterov)
 *       SGD's update of one parameter in place (b: the momentum buffer, or null without momentum), as sgdRef, bit
 *       for bit, in the same arithmetic as adam.
 *   gather(x, width, index, start, count, out) → out
 *       out's rows r < count = x's rows index[start + r], `width` elements each: memcpy, for any typed arrays of one
 *       element size (index an Int32Array); a DataLoader's batch.
 *   threads(n)   how many threads (this one and the pool's, pool.c) later products and updates may split across
 *   core()       the kernel set OpenBLAS chose for this CPU (openblas_get_corename)
 * The bias is added after the product (cblas with beta = 1 over rows holding the bias would add it in another order).
 */
#include <node_api.h>

#include <cblas.h>
#include "pool.h"
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

void openblas_set_num_threads(int num_threads);
char *openblas_get_corename(void);

#define CHECK(call)                                                    \
  do {                                                                 \
    if ((call) != napi_ok) {                                           \
      napi_throw_error(env, NULL, "native kernels: " #call " failed"); \
      return NULL;                                                     \
    }                                                                  \
  } while (0)

/* A float typed array's element type, first element and length, or 0 with a JS TypeError thrown (`name`). */
static int floats(napi_env env, napi_value v, const char *name, napi_typedarray_type *type, void **data, size_t *length) {
  bool is = false;
  size_t offset = 0;
  napi_value buffer;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is ||
      napi_get_typedarray_info(env, v, type, length, data, &buffer, &offset) != napi_ok ||
      (*type != napi_float32_array && *type != napi_float64_array)) {
    napi_throw_type_error(env, NULL, name);
    return 0;
  }
  return 1;
}

/* The call's `count` arguments into argv, or 0 with a JS TypeError thrown (`message`) when it has another number. */
static int arguments(napi_env env, napi_callback_info info, size_t count, napi_value *argv, const char *message) {
  size_t argc = count;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != count) {
    napi_throw_type_error(env, NULL, message);
    return 0;
  }
  return 1;
}

/* The threads a kernel may split its work across (threads(n)); OpenBLAS itself always runs on one (see pool.h). */
static int threadCount = 1;

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

static napi_value gemm(napi_env env, napi_callback_info info) {
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

/* JavaScript's Math.max on two values: NaN if either is, +0 over -0 */
static inline float maxf(float a, float b) { return a != a || b != b ? a + b : a > b ? a : b == 0 && a == 0 ? (signbit(a) ? b : a) : b; }
static inline double maxd(double a, double b) { return a != a || b != b ? a + b : a > b ? a : b == 0 && a == 0 ? (signbit(a) ? b : a) : b; }

/* θ ← θ·decay; g ← sign·∇θ + λθ; m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; v̂ ← max(v̂, v) or v;
   θ ← θ − stepSize · m / (√v̂ / bias2Sqrt + ε), each step in the dtype's arithmetic. One function per dtype;
   `decays`, `l2` and `ams` are constants at each call below (always inlined), so every combination is a loop of its
   own without branches, which the compiler vectorizes. */
#define ADAM(NAME, T, SQRT, MAX)                                                                                      \
  static inline __attribute__((always_inline)) void NAME(T *restrict theta, const T *restrict grad, T *restrict m,   \
                                                          T *restrict v, T *restrict vMax, size_t n, const T *s,     \
                                                          const int decays, const int l2, const int ams) {          \
    const T lr = s[0], bc = s[1], b1 = s[2], c1 = s[3], b2 = s[4], c2 = s[5], ep = s[6], wd = s[7], dc = s[8],        \
            sg = s[9];                                                                                               \
    for (size_t i = 0; i < n; i++) {                                                                                 \
      T th = theta[i];                                                                                               \
      T g = sg * grad[i];                                                                                            \
      if (decays) th = th * dc;                                                                                      \
      if (l2) g = g + wd * th;                                                                                       \
      T mi = b1 * m[i] + c1 * g;                                                                                     \
      T vi = b2 * v[i] + c2 * g * g;                                                                                 \
      m[i] = mi;                                                                                                     \
      v[i] = vi;                                                                                                     \
      if (ams) vi = vMax[i] = MAX(vMax[i], vi);                                                                      \
      theta[i] = th - lr * (mi / (SQRT(vi) / bc + ep));                                                              \
    }                                                                                                                \
  }
ADAM(adamF32, float, sqrtf, maxf)
ADAM(adamF64, double, sqrt, maxd)

/* The loop for these flags: decoupled decay (AdamW) or an L2 term (Adam's weight decay) or neither, AMSGrad or not. */
#define ADAM_CASES(F, ...)                                                    \
  do {                                                                        \
    if (decays) ams ? F(__VA_ARGS__, 1, 0, 1) : F(__VA_ARGS__, 1, 0, 0);      \
    else if (l2) ams ? F(__VA_ARGS__, 0, 1, 1) : F(__VA_ARGS__, 0, 1, 0);     \
    else ams ? F(__VA_ARGS__, 0, 0, 1) : F(__VA_ARGS__, 0, 0, 0);             \
  } while (0)

/* An update's arguments, shared by its parts; each part updates its chunk of the elements. */
typedef struct {
  void *theta, *m, *v, *vMax;
  const void *grad;
  size_t n, chunk;
  int decays, l2, ams;
  float f[10];
  double d[10];
} Update;

#define UPDATE_PART(NAME, T, LOOP, S)                                                                               \
  static void NAME(void *context, int part, int parts) {                                                            \
    (void)parts;                                                                                                    \
    const Update *u = context;                                                                                      \
    const size_t from = (size_t)part * u->chunk, n = from + u->chunk < u->n ? u->chunk : u->n - from;               \
    const int decays = u->decays, l2 = u->l2, ams = u->ams;                                                         \
    T *vMax = u->ams ? (T *)u->vMax + from : NULL;                                                                  \
    ADAM_CASES(LOOP, (T *)u->theta + from, (const T *)u->grad + from, (T *)u->m + from, (T *)u->v + from, vMax, n,  \
               u->S);                                                                                               \
  }
UPDATE_PART(updateF32, float, adamF32, f)
UPDATE_PART(updateF64, double, adamF64, d)

/* An update (Adam's, SGD's) splits into parts of at least 2¹⁴ elements (~5 µs), one a thread, in whole cache lines.
   Element by element, so the parts change no bit; by contiguous chunks, which here beat chunks matching the products' columns
   (0.09 ms against 0.17-0.19 over W1 in a step's loop: a row of W1 is 256 values). */
static int elementParts(size_t n, size_t *chunk, size_t lineElements) {
  const size_t most = n / 16384;
  const int parts = most < 2 ? 1 : most < (size_t)threadCount ? (int)most : threadCount;
  *chunk = (n + parts * lineElements - 1) / (parts * lineElements) * lineElements;
  return parts <= 1 ? 1 : (int)((n + *chunk - 1) / *chunk);
}

static napi_value adam(napi_env env, napi_callback_info info) {
  napi_value argv[13];
  if (!arguments(env, info, 13, argv, "native kernels: adam takes 13 arguments")) return NULL;
  napi_typedarray_type types[5];
  void *data[5] = {NULL, NULL, NULL, NULL, NULL};
  size_t lengths[5] = {0, 0, 0, 0, 0};
  static const char *names[5] = {"native kernels: adam: theta is not a float array", "native kernels: adam: grad is not a float array",
                                 "native kernels: adam: m is not a float array", "native kernels: adam: v is not a float array",
                                 "native kernels: adam: vMax is not a float array"};
  napi_valuetype vMaxType;
  CHECK(napi_typeof(env, argv[4], &vMaxType));
  const int buffers = vMaxType == napi_null ? 4 : 5;
  for (int b = 0; b < buffers; b++) {
    if (!floats(env, argv[b], names[b], &types[b], &data[b], &lengths[b])) return NULL;
    if (types[b] != types[0] || lengths[b] != lengths[0]) {
      napi_throw_type_error(env, NULL, "native kernels: adam: theta, grad, m, v and vMax must share one dtype and length");
      return NULL;
    }
  }
  double scalars[8];
  for (int j = 0; j < 8; j++) CHECK(napi_get_value_double(env, argv[5 + j], &scalars[j]));
  const double stepSize = scalars[0], bias2Sqrt = scalars[1], beta1 = scalars[2], beta2 = scalars[3], eps = scalars[4],
               weightDecay = scalars[5], decay = scalars[6], sign = scalars[7];
  const int f32 = types[0] == napi_float32_array;
  Update u = {data[0], data[2], data[3], data[4], data[1], lengths[0], lengths[0], decay != 1, weightDecay != 0, buffers == 5,
              {(float)stepSize, (float)bias2Sqrt, (float)beta1, (float)(1 - beta1), (float)beta2, (float)(1 - beta2),
               (float)eps, (float)weightDecay, (float)decay, (float)sign},
              {stepSize, bias2Sqrt, beta1, 1 - beta1, beta2, 1 - beta2, eps, weightDecay, decay, sign}};
  /* the L2 term is there when λ is not 0 in the dtype's arithmetic */
  if (f32) u.l2 = u.f[7] != 0;
  pool_run(f32 ? updateF32 : updateF64, &u, elementParts(u.n, &u.chunk, f32 ? 16 : 8));
  return argv[0];
}

/* g ← sign·∇θ + λθ; b ← g (the buffer's first step) or μb + (1 − τ)g; g ← g + μb (Nesterov) or b; θ ← θ − ηg, each
   step in the dtype's arithmetic, as sgdRef; the flags are constants at each call (always inlined), as Adam's. */
#define SGD(NAME, T)                                                                                               \
  static inline __attribute__((always_inline)) void NAME(T *restrict theta, const T *restrict grad, T *restrict b, \
                                                          size_t n, const T *s, const int momentum, const int l2,   \
                                                          const int first, const int nesterov) {                   \
    const T lr = s[0], mu = s[1], c = s[2], wd = s[3], sg = s[4];                                                 \
    for (size_t i = 0; i < n; i++) {                                                                               \
      T g = sg * grad[i];                                                                                          \
      if (l2) g = g + wd * theta[i];                                                                               \
      if (momentum) {                                                                                              \
        const T bi = first ? g : mu * b[i] + c * g;                                                                \
        b[i] = bi;                                                                                                 \
        g = nesterov ? g + mu * bi : bi;                                                                           \
      }                                                                                                            \
      theta[i] = theta[i] - lr * g;                                                                                \
    }                                                                                                              \
  }
SGD(sgdF32, float)
SGD(sgdF64, double)

/* The loop for these flags: momentum (on its first step or later, Nesterov's or not) or none, an L2 term or not. */
#define SGD_MOMENTUM(F, ...) (first ? (nesterov ? F(__VA_ARGS__, 1, 1) : F(__VA_ARGS__, 1, 0)) : (nesterov ? F(__VA_ARGS__, 0, 1) : F(__VA_ARGS__, 0, 0)))
#define SGD_CASES(F, ...)                                                                                  \
  do {                                                                                                     \
    if (!momentum) l2 ? F(__VA_ARGS__, 0, 1, 0, 0) : F(__VA_ARGS__, 0, 0, 0, 0);                           \
    else if (l2) SGD_MOMENTUM(F, __VA_ARGS__, 1, 1);                                                       \
    else SGD_MOMENTUM(F, __VA_ARGS__, 1, 0);                                                               \
  } while (0)

/* An SGD step's arguments, shared by its parts (chunks of the elements, as Adam's). */
typedef struct {
  void *theta, *b;
  const void *grad;
  size_t n, chunk;
  int momentum, l2, first, nesterov;
  float f[5];
  double d[5];
} Descent;

#define DESCENT_PART(NAME, T, LOOP, S)                                                                       \
  static void NAME(void *context, int part, int parts) {                                                     \
    (void)parts;                                                                                             \
    const Descent *u = context;                                                                              \
    const size_t from = (size_t)part * u->chunk, n = from + u->chunk < u->n ? u->chunk : u->n - from;        \
    const int momentum = u->momentum, l2 = u->l2, first = u->first, nesterov = u->nesterov;                  \
    T *b = momentum ? (T *)u->b + from : NULL;                                                               \
    SGD_CASES(LOOP, (T *)u->theta + from, (const T *)u->grad + from, b, n, u->S);                            \
  }
DESCENT_PART(descentF32, float, sgdF32, f)
DESCENT_PART(descentF64, double, sgdF64, d)

/* sgd(theta, grad, b, lr, momentum, dampening, weightDecay, sign, first, nesterov): SGD's update of one parameter in
   place (b: the momentum buffer, or null without momentum), as sgdRef computes it, bit for bit. */
static napi_value sgd(napi_env env, napi_callback_info info) {
  napi_value argv[10];
  if (!arguments(env, info, 10, argv, "native kernels: sgd takes 10 arguments")) return NULL;
  napi_typedarray_type types[3];
  void *data[3] = {NULL, NULL, NULL};
  size_t lengths[3] = {0, 0, 0};
  static const char *names[3] = {"native kernels: sgd: theta is not a float array", "native kernels: sgd: grad is not a float array",
                                 "native kernels: sgd: b is not a float array"};
  napi_valuetype bType;
  CHECK(napi_typeof(env, argv[2], &bType));
  const int buffers = bType == napi_null ? 2 : 3;
  for (int j = 0; j < buffers; j++) {
    if (!floats(env, argv[j], names[j], &types[j], &data[j], &lengths[j])) return NULL;
    if (types[j] != types[0] || lengths[j] != lengths[0]) {
      napi_throw_type_error(env, NULL, "native kernels: sgd: theta, grad and b must share one dtype and length");
      return NULL;
    }
  }
  double scalars[5];
  for (int j = 0; j < 5; j++) CHECK(napi_get_value_double(env, argv[3 + j], &scalars[j]));
  bool first, nesterov;
  CHECK(napi_get_value_bool(env, argv[8], &first));
  CHECK(napi_get_value_bool(env, argv[9], &nesterov));
  const double lr = scalars[0], momentum = scalars[1], dampening = scalars[2], weightDecay = scalars[3], sign = scalars[4];
  if (momentum != 0 && buffers < 3) {
    napi_throw_type_error(env, NULL, "native kernels: sgd: momentum needs its buffer b");
    return NULL;
  }
  const int f32 = types[0] == napi_float32_array;
  Descent u = {data[0], data[2], data[1], lengths[0], lengths[0], momentum != 0, weightDecay != 0, first, nesterov,
               {(float)lr, (float)momentum, (float)(1 - dampening), (float)weightDecay, (float)sign},
               {lr, momentum, 1 - dampening, weightDecay, sign}};
  pool_run(f32 ? descentF32 : descentF64, &u, elementParts(lengths[0], &u.chunk, f32 ? 16 : 8));
  return argv[0];
}

/* A gather's arguments, shared by its parts; each part copies its chunk of the rows. */
typedef struct {
  const char *x;
  char *out;
  const int32_t *index;
  size_t rowBytes, start, count, chunk;
} Gather;

static void gatherPart(void *context, int part, int parts) {
  (void)parts;
  const Gather *g = context;
  const size_t from = (size_t)part * g->chunk, to = from + g->chunk < g->count ? from + g->chunk : g->count;
  for (size_t r = from; r < to; r++) memcpy(g->out + r * g->rowBytes, g->x + (size_t)g->index[g->start + r] * g->rowBytes, g->rowBytes);
}

static size_t elementBytes(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array: case napi_uint8_array: case napi_uint8_clamped_array: return 1;
    case napi_int16_array: case napi_uint16_array: return 2;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: return 4;
    default: return 8;
  }
}

/* A typed array's element size, data and length, or 0 with a JS TypeError thrown (`name`). */
static int typed(napi_env env, napi_value v, const char *name, size_t *size, void **data, size_t *length) {
  bool is = false;
  napi_typedarray_type type;
  size_t offset = 0;
  napi_value buffer;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is ||
      napi_get_typedarray_info(env, v, &type, length, data, &buffer, &offset) != napi_ok) {
    napi_throw_type_error(env, NULL, name);
    return 0;
  }
  *size = elementBytes(type);
  return 1;
}

/* gather(x, width, index, start, count, out): out's rows r < count = x's rows index[start + r]. The table checks the
   indices with its message first; they are checked again here, as memory is at stake. Split into parts of at least
   64 KB (a random row of a data set comes from memory, so two threads wait for two rows at once). */
static napi_value gather(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!arguments(env, info, 6, argv, "native kernels: gather takes 6 arguments")) return NULL;
  int32_t width, start, count;
  CHECK(napi_get_value_int32(env, argv[1], &width));
  CHECK(napi_get_value_int32(env, argv[3], &start));
  CHECK(napi_get_value_int32(env, argv[4], &count));
  size_t xSize, indexSize, outSize, xLength, indexLength, outLength;
  void *x, *index, *out;
  if (!typed(env, argv[0], "native kernels: gather: x is not a typed array", &xSize, &x, &xLength)) return NULL;
  if (!typed(env, argv[2], "native kernels: gather: index is not an Int32Array", &indexSize, &index, &indexLength)) return NULL;
  if (!typed(env, argv[5], "native kernels: gather: out is not a typed array", &outSize, &out, &outLength)) return NULL;
  if (xSize != outSize || indexSize != 4) {
    napi_throw_type_error(env, NULL, "native kernels: gather: x and out must share an element size, index must be an Int32Array");
    return NULL;
  }
  const size_t rows = width > 0 ? xLength / (size_t)width : 0;
  int fits = width > 0 && start >= 0 && count >= 0 && (size_t)start + (size_t)count <= indexLength &&
             (size_t)count * (size_t)width <= outLength;
  for (int32_t r = 0; fits && r < count; r++) fits = ((const int32_t *)index)[start + r] >= 0 && (size_t)((const int32_t *)index)[start + r] < rows;
  if (!fits) {
    napi_throw_range_error(env, NULL, "native kernels: gather: an index, start, count or width is out of range");
    return NULL;
  }
  Gather g = {x, out, index, (size_t)width * xSize, (size_t)start, (size_t)count, (size_t)count};
  const size_t most = g.count * g.rowBytes / 65536;
  const int parts = most < 2 || g.count < 2 ? 1 : most < (size_t)threadCount ? (int)most : threadCount;
  g.chunk = (g.count + parts - 1) / parts;
  pool_run(gatherPart, &g, parts);
  return argv[5];
}

static napi_value threads(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t count;
  if (!arguments(env, info, 1, argv, "native kernels: threads takes a count of at least 1")) return NULL;
  if (napi_get_value_int32(env, argv[0], &count) != napi_ok || count < 1) {
    napi_throw_range_error(env, NULL, "native kernels: threads takes a count of at least 1");
    return NULL;
  }
  threadCount = count < POOL_MAX_PARTS ? count : POOL_MAX_PARTS;
  return NULL;
}

static napi_value core(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value name;
  CHECK(napi_create_string_utf8(env, openblas_get_corename(), NAPI_AUTO_LENGTH, &name));
  return name;
}

static napi_value init(napi_env env, napi_value exports) {
  openblas_set_num_threads(1); /* the pool's threads split the products (pool.h) */
  napi_property_descriptor functions[] = {
      {"gemm", NULL, gemm, NULL, NULL, NULL, napi_default, NULL},
      {"adam", NULL, adam, NULL, NULL, NULL, napi_default, NULL},
      {"sgd", NULL, sgd, NULL, NULL, NULL, napi_default, NULL},
      {"gather", NULL, gather, NULL, NULL, NULL, napi_default, NULL},
      {"threads", NULL, threads, NULL, NULL, NULL, napi_default, NULL},
      {"core", NULL, core, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions));
  return exports;
}

NAPI_MODULE(tapegrad_kernels, init)
