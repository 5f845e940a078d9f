/*
 * The bench's training step in C on OpenBLAS, as a small library: load a problem (a network, its float32
 * parameters, one batch, the learning rate), then take gradients or SGD steps. Used by the command-line program
 * (openblas-step.c) and by the Node addon behind `pnpm bench --peers openblas` (openblas-addon.c).
 */
#ifndef TAPEGRAD_OPENBLAS_MLP_H
#define TAPEGRAD_OPENBLAS_MLP_H

#include <stddef.h>
#include <stdint.h>

#define MLP_MAX_LAYERS 16

typedef struct {
  int n, N, activation, sizes[MLP_MAX_LAYERS + 1];
  float lr;
  /* 1-based layers, as the chapter: W[l] (sizes[l-1] × sizes[l]), z[l], a[l], delta[l] (N × sizes[l]); a[0] = x */
  float *W[MLP_MAX_LAYERS + 1], *b[MLP_MAX_LAYERS + 1], *dW[MLP_MAX_LAYERS + 1], *db[MLP_MAX_LAYERS + 1];
  float *z[MLP_MAX_LAYERS + 1], *a[MLP_MAX_LAYERS + 1], *delta[MLP_MAX_LAYERS + 1];
  int32_t *labels;
} Mlp;

/*
 * Reads a problem (little-endian): int32 n (layers), int32 sizes[n + 1], int32 N, int32 activation (0 relu,
 * 1 sigmoid), float32 lr, then float32 W^1, b^1, …, W^n, b^n, float32 x (N × sizes[0]), int32 labels[N].
 * Returns NULL and sets *error (a static string) when the bytes are not one.
 */
Mlp *mlp_load(const uint8_t *bytes, size_t length, const char **error);

/* Loss at the current parameters, leaving ∂loss/∂W^l in dW[l] and ∂loss/∂b^l in db[l]; changes no parameter. */
double mlp_gradients(Mlp *m);

/* One SGD step (W^l ← W^l − lr ∂W^l, b^l likewise); returns the loss before it. */
double mlp_step(Mlp *m);

void mlp_free(Mlp *m);

#endif
