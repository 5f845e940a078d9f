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
 *   threads(n)   the OpenBLAS threads later products may use
 *   core()       the kernel set OpenBLAS chose for this CPU (openblas_get_corename)
 * The bias is added after the product (cblas with beta = 1 over rows holding the bias would add it in another order).
 */
#include <node_api.h>

#include <cblas.h>
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

/* out (m×n) = op(a) · op(b), then the bias row added to every row and ReLU, as asked: z = a W + b; a = max(z, 0) */
#define PRODUCT(T, GEMM)                                                                    \
  do {                                                                                      \
    T *o = out;                                                                             \
    const T *c = bias;                                                                      \
    if (k == 0) memset(o, 0, rows * cols * sizeof *o);                                      \
    else GEMM(CblasRowMajor, opA, opB, m, n, k, 1, a, lda, b, ldb, 0, o, n);                \
    if (c != NULL || relu)                                                                  \
      for (size_t i = 0; i < rows; i++)                                                     \
        for (size_t j = 0; j < cols; j++) {                                                 \
          T z = c == NULL ? o[i * cols + j] : o[i * cols + j] + c[j];                       \
          o[i * cols + j] = relu ? (z > 0 ? z : 0) : z;                                     \
        }                                                                                   \
  } while (0)

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
  const enum CBLAS_TRANSPOSE opA = transA ? CblasTrans : CblasNoTrans, opB = transB ? CblasTrans : CblasNoTrans;
  /* k = 0 is an empty sum: out = 0 (cblas would reject a leading dimension of 0) */
  const int lda = transA ? m : (k > 0 ? k : 1), ldb = transB ? (k > 0 ? k : 1) : n;
  const size_t rows = (size_t)m, cols = (size_t)n;
  if (tout == napi_float32_array) PRODUCT(float, cblas_sgemm);
  else PRODUCT(double, cblas_dgemm);
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
  const size_t n = lengths[0];
  const int decays = decay != 1, ams = buffers == 5;
  if (types[0] == napi_float32_array) {
    const float f[10] = {(float)stepSize, (float)bias2Sqrt, (float)beta1, (float)(1 - beta1), (float)beta2,
                         (float)(1 - beta2), (float)eps, (float)weightDecay, (float)decay, (float)sign};
    const int l2 = f[7] != 0;
    ADAM_CASES(adamF32, data[0], data[1], data[2], data[3], data[4], n, f);
  } else {
    const double d[10] = {stepSize, bias2Sqrt, beta1, 1 - beta1, beta2, 1 - beta2, eps, weightDecay, decay, sign};
    const int l2 = d[7] != 0;
    ADAM_CASES(adamF64, data[0], data[1], data[2], data[3], data[4], n, d);
  }
  return argv[0];
}

static napi_value threads(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t count;
  if (!arguments(env, info, 1, argv, "native kernels: threads takes a count of at least 1")) return NULL;
  if (napi_get_value_int32(env, argv[0], &count) != napi_ok || count < 1) {
    napi_throw_range_error(env, NULL, "native kernels: threads takes a count of at least 1");
    return NULL;
  }
  openblas_set_num_threads(count);
  return NULL;
}

static napi_value core(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value name;
  CHECK(napi_create_string_utf8(env, openblas_get_corename(), NAPI_AUTO_LENGTH, &name));
  return name;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor functions[] = {
      {"gemm", NULL, gemm, NULL, NULL, NULL, napi_default, NULL},
      {"adam", NULL, adam, NULL, NULL, NULL, napi_default, NULL},
      {"threads", NULL, threads, NULL, NULL, NULL, napi_default, NULL},
      {"core", NULL, core, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions));
  return exports;
}

NAPI_MODULE(tapegrad_kernels, init)
