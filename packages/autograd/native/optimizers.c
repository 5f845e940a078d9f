/* The native addon's optimizer updates (kernels.c lists their arguments): Adam's and SGD's, split across the pool. */
#include <math.h>
#include <stdbool.h>

#include "kernels.h"
#include "pool.h"

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

/* An update's buffers argv[0 … count), float arrays of θ's dtype and length, the last one optional (null): into
   types, data, lengths. Returns how many were given, or 0 with a JS TypeError thrown (`names[j]`: argument j is not
   a float array; `mismatch`: not θ's dtype and length). */
static int buffersOf(napi_env env, napi_value *argv, int count, const char *const *names, const char *mismatch,
                     napi_typedarray_type *types, void **data, size_t *lengths) {
  napi_valuetype lastType;
  if (napi_typeof(env, argv[count - 1], &lastType) != napi_ok) {
    napi_throw_error(env, NULL, "native kernels: napi_typeof failed");
    return 0;
  }
  const int given = lastType == napi_null ? count - 1 : count;
  for (int j = 0; j < given; j++) {
    if (!floats(env, argv[j], names[j], &types[j], &data[j], &lengths[j])) return 0;
    if (types[j] != types[0] || lengths[j] != lengths[0]) {
      napi_throw_type_error(env, NULL, mismatch);
      return 0;
    }
  }
  return given;
}

napi_value adam(napi_env env, napi_callback_info info) {
  napi_value argv[13];
  if (!arguments(env, info, 13, argv, "native kernels: adam takes 13 arguments")) return NULL;
  napi_typedarray_type types[5];
  void *data[5] = {NULL, NULL, NULL, NULL, NULL};
  size_t lengths[5] = {0, 0, 0, 0, 0};
  static const char *const names[5] = {"native kernels: adam: theta is not a float array", "native kernels: adam: grad is not a float array",
                                       "native kernels: adam: m is not a float array", "native kernels: adam: v is not a float array",
                                       "native kernels: adam: vMax is not a float array"};
  const int buffers = buffersOf(env, argv, 5, names, "native kernels: adam: theta, grad, m, v and vMax must share one dtype and length",
                                types, data, lengths);
  if (buffers == 0) return NULL;
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
napi_value sgd(napi_env env, napi_callback_info info) {
  napi_value argv[10];
  if (!arguments(env, info, 10, argv, "native kernels: sgd takes 10 arguments")) return NULL;
  napi_typedarray_type types[3];
  void *data[3] = {NULL, NULL, NULL};
  size_t lengths[3] = {0, 0, 0};
  static const char *const names[3] = {"native kernels: sgd: theta is not a float array", "native kernels: sgd: grad is not a float array",
                                       "native kernels: sgd: b is not a float array"};
  const int buffers = buffersOf(env, argv, 3, names, "native kernels: sgd: theta, grad and b must share one dtype and length", types, data, lengths);
  if (buffers == 0) return NULL;
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

