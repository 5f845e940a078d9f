/*
 * What the native addon's files share (kernels.c is the module; products.c, optimizers.c and gather.c its kernels;
 * pool.c their threads): reading a call's arguments, and the thread count threads(n) set.
 */
#ifndef TAPEGRAD_KERNELS_H
#define TAPEGRAD_KERNELS_H

#include <node_api.h>

#include <stddef.h>

#define CHECK(call)                                                    \
  do {                                                                 \
    if ((call) != napi_ok) {                                           \
      napi_throw_error(env, NULL, "native kernels: " #call " failed"); \
      return NULL;                                                     \
    }                                                                  \
  } while (0)

/* A float typed array's element type, first element and length, or 0 with a JS TypeError thrown (`name`). */
int floats(napi_env env, napi_value v, const char *name, napi_typedarray_type *type, void **data, size_t *length);

/* Any typed array's element type, its size in bytes, first element and length, or 0 with a JS TypeError thrown
   (`name`). */
int typed(napi_env env, napi_value v, const char *name, napi_typedarray_type *type, size_t *size, void **data, size_t *length);

/* The call's `count` arguments into argv, or 0 with a JS TypeError thrown (`message`) when it has another number. */
int arguments(napi_env env, napi_callback_info info, size_t count, napi_value *argv, const char *message);

/* The threads a kernel may split its work across (threads(n)); OpenBLAS itself always runs on one (see pool.h). */
extern int threadCount;

/* The kernels, each in its own file. */
napi_value gemm(napi_env env, napi_callback_info info);
napi_value adam(napi_env env, napi_callback_info info);
napi_value sgd(napi_env env, napi_callback_info info);
napi_value gather(napi_env env, napi_callback_info info);

#endif
