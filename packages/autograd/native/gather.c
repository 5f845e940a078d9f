/* The native addon's gather of rows (kernels.c lists its arguments): a DataLoader's batch, split across the pool. */
#include <stdint.h>
#include <string.h>

#include "kernels.h"
#include "pool.h"

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

/* gather(x, width, index, start, count, out): out's rows r < count = x's rows index[start + r]. The table checks the
   indices with its message first; they are checked again here, as memory is at stake. Split into parts of at least
   64 KB (a random row of a data set comes from memory, so two threads wait for two rows at once). */
napi_value gather(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!arguments(env, info, 6, argv, "native kernels: gather takes 6 arguments")) return NULL;
  int32_t width, start, count;
  CHECK(napi_get_value_int32(env, argv[1], &width));
  CHECK(napi_get_value_int32(env, argv[3], &start));
  CHECK(napi_get_value_int32(env, argv[4], &count));
  napi_typedarray_type xType, indexType, outType;
  size_t xSize, indexSize, outSize, xLength, indexLength, outLength;
  void *x, *index, *out;
  if (!typed(env, argv[0], "native kernels: gather: x is not a typed array", &xType, &xSize, &x, &xLength)) return NULL;
  if (!typed(env, argv[2], "native kernels: gather: index is not an Int32Array", &indexType, &indexSize, &index, &indexLength)) return NULL;
  if (!typed(env, argv[5], "native kernels: gather: out is not a typed array", &outType, &outSize, &out, &outLength)) return NULL;
  if (xSize != outSize || indexType != napi_int32_array) {
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

