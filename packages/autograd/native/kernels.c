/*
 * The native backend's kernels (src/kernels/native/): the matrix products on OpenBLAS (products.c), Adam's and SGD's
 * updates (optimizers.c) and a gather of rows (gather.c), split across threads of its own (pool.c), as a Node addon
 * in plain C over Node-API (ABI-stable: one build serves every Node version). src/kernels/platform/node-native.ts
 * compiles the .c files of native/ on the machine that runs it, with the system's C compiler, and loads them. This
 * file is the module: what it exports, and the helpers the kernels share (kernels.h).
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
#include "kernels.h"

#include <cblas.h>

#include "pool.h"

void openblas_set_num_threads(int num_threads);
char *openblas_get_corename(void);

/* A float typed array's element type, first element and length, or 0 with a JS TypeError thrown (`name`). */
int floats(napi_env env, napi_value v, const char *name, napi_typedarray_type *type, void **data, size_t *length) {
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
int arguments(napi_env env, napi_callback_info info, size_t count, napi_value *argv, const char *message) {
  size_t argc = count;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != count) {
    napi_throw_type_error(env, NULL, message);
    return 0;
  }
  return 1;
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
int typed(napi_env env, napi_value v, const char *name, napi_typedarray_type *type, size_t *size, void **data, size_t *length) {
  bool is = false;
  size_t offset = 0;
  napi_value buffer;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is ||
      napi_get_typedarray_info(env, v, type, length, data, &buffer, &offset) != napi_ok) {
    napi_throw_type_error(env, NULL, name);
    return 0;
  }
  *size = elementBytes(*type);
  return 1;
}

int threadCount = 1;

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
