/*
 * The OpenBLAS training step (openblas-mlp.c) as a Node addon, in plain C over Node-API, so that the bench can time
 * it in its own process beside tapegrad and the other peers (src/peers/openblas.ts compiles and loads it):
 *   load(problem: Uint8Array, threads: number) → session   (the problem as in openblas-mlp.h)
 *   gradients(session) → { loss, dW: Float32Array[], db: Float32Array[] }   (copies; parameters unchanged)
 *   step(session) → loss before the SGD step
 *   free(session)   (its memory now; later calls on it throw)
 *   core() → the kernel set OpenBLAS runs (openblas_get_corename)
 * A session not freed by hand is freed when it is garbage collected.
 */
#include <node_api.h>

#include "openblas-mlp.h"

#include <stdlib.h>
#include <string.h>

void openblas_set_num_threads(int num_threads);
char *openblas_get_corename(void);

#define CHECK(call)                                                     \
  do {                                                                  \
    if ((call) != napi_ok) {                                            \
      napi_throw_error(env, NULL, "openblas addon: " #call " failed"); \
      return NULL;                                                      \
    }                                                                   \
  } while (0)

/* What a session (a JS external) points to: the problem, or NULL once freed. */
typedef struct {
  Mlp *m;
} Session;

static void release(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  mlp_free(((Session *)data)->m);
  free(data);
}

/* The session behind the first argument, or NULL with a JS error thrown. */
static Session *sessionArg(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *data = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_external(env, argv[0], &data) != napi_ok) {
    napi_throw_type_error(env, NULL, "openblas addon: expected a session from load()");
    return NULL;
  }
  return (Session *)data;
}

/* The problem of a live session, or NULL with a JS error thrown. */
static Mlp *sessionOf(napi_env env, napi_callback_info info) {
  Session *s = sessionArg(env, info);
  if (s == NULL) return NULL;
  if (s->m == NULL) napi_throw_error(env, NULL, "openblas addon: the session was freed");
  return s->m;
}

static napi_value Load(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  bool typed = false;
  if (argc < 2 || napi_is_typedarray(env, argv[0], &typed) != napi_ok || !typed) {
    napi_throw_type_error(env, NULL, "openblas addon: load(problem: Uint8Array, threads: number)");
    return NULL;
  }
  napi_typedarray_type type;
  size_t length = 0;
  void *bytes = NULL;
  CHECK(napi_get_typedarray_info(env, argv[0], &type, &length, &bytes, NULL, NULL));
  int32_t threads = 0;
  if (type != napi_uint8_array || napi_get_value_int32(env, argv[1], &threads) != napi_ok || threads < 1) {
    napi_throw_type_error(env, NULL, "openblas addon: load(problem: Uint8Array, threads: number ≥ 1)");
    return NULL;
  }
  const char *error = NULL;
  Mlp *m = mlp_load((const uint8_t *)bytes, length, &error);
  if (m == NULL) {
    napi_throw_error(env, NULL, error);
    return NULL;
  }
  openblas_set_num_threads(threads);
  Session *s = malloc(sizeof(Session));
  napi_value session;
  if (s == NULL || (s->m = m, napi_create_external(env, s, release, NULL, &session)) != napi_ok) {
    free(s);
    mlp_free(m);
    napi_throw_error(env, NULL, "openblas addon: cannot create the session");
    return NULL;
  }
  return session;
}

/* A Float32Array holding a copy of `count` floats. */
static napi_value float32Copy(napi_env env, const float *src, size_t count) {
  void *data = NULL;
  napi_value buffer, array;
  CHECK(napi_create_arraybuffer(env, count * 4, &data, &buffer));
  memcpy(data, src, count * 4);
  CHECK(napi_create_typedarray(env, napi_float32_array, count, buffer, 0, &array));
  return array;
}

static napi_value Gradients(napi_env env, napi_callback_info info) {
  Mlp *m = sessionOf(env, info);
  if (m == NULL) return NULL;
  double loss = mlp_gradients(m);
  napi_value result, lossValue, dW, db;
  CHECK(napi_create_object(env, &result));
  CHECK(napi_create_double(env, loss, &lossValue));
  CHECK(napi_create_array_with_length(env, (size_t)m->n, &dW));
  CHECK(napi_create_array_with_length(env, (size_t)m->n, &db));
  for (int l = 1; l <= m->n; l++) {
    napi_value w = float32Copy(env, m->dW[l], (size_t)m->sizes[l - 1] * m->sizes[l]);
    napi_value b = float32Copy(env, m->db[l], (size_t)m->sizes[l]);
    if (w == NULL || b == NULL) return NULL;
    CHECK(napi_set_element(env, dW, (uint32_t)(l - 1), w));
    CHECK(napi_set_element(env, db, (uint32_t)(l - 1), b));
  }
  CHECK(napi_set_named_property(env, result, "loss", lossValue));
  CHECK(napi_set_named_property(env, result, "dW", dW));
  CHECK(napi_set_named_property(env, result, "db", db));
  return result;
}

static napi_value Step(napi_env env, napi_callback_info info) {
  Mlp *m = sessionOf(env, info);
  if (m == NULL) return NULL;
  napi_value loss;
  CHECK(napi_create_double(env, mlp_step(m), &loss));
  return loss;
}

static napi_value Free(napi_env env, napi_callback_info info) {
  Session *s = sessionArg(env, info);
  if (s == NULL) return NULL;
  mlp_free(s->m);
  s->m = NULL;
  return NULL;
}

static napi_value Core(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value name;
  CHECK(napi_create_string_utf8(env, openblas_get_corename(), NAPI_AUTO_LENGTH, &name));
  return name;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
    {"load", NULL, Load, NULL, NULL, NULL, napi_enumerable, NULL},
    {"gradients", NULL, Gradients, NULL, NULL, NULL, napi_enumerable, NULL},
    {"step", NULL, Step, NULL, NULL, NULL, napi_enumerable, NULL},
    {"free", NULL, Free, NULL, NULL, NULL, napi_enumerable, NULL},
    {"core", NULL, Core, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
