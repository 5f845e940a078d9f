/*
 * The manual engine's float32 step (docs/backprop-chapter.md) on OpenBLAS, W^l (in × out), z = a W + b:
 *   z^l = a^{l-1} W^l + b^l, a^l = act(z^l) (l < n), a^n = softmax(z^n), loss = mean_r -log a^n_{r, y_r}
 *   δ^n = (a^n − Y) / N, ∂W^l = (a^{l-1})ᵀ δ^l, ∂b^l = Σ_rows δ^l, δ^{l-1} = (δ^l (W^l)ᵀ) ⊙ act'(z^{l-1})
 *   W^l ← W^l − lr ∂W^l, b^l ← b^l − lr ∂b^l
 * with the three products as cblas_sgemm calls (no transpose materialised) and the updates as cblas_saxpy.
 */
#include "openblas-mlp.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Reads `count` 4-byte values at *at, advancing it; 0 when the bytes run out. */
static int take4(const uint8_t **at, const uint8_t *end, void *dst, size_t count) {
  if ((size_t)(end - *at) / 4 < count) return 0;
  memcpy(dst, *at, count * 4);
  *at += count * 4;
  return 1;
}

Mlp *mlp_load(const uint8_t *bytes, size_t length, const char **error) {
  const uint8_t *at = bytes, *end = bytes + length;
  Mlp *m = calloc(1, sizeof(Mlp));
  if (m == NULL) return *error = "out of memory", NULL;
  *error = "problem too short";
  if (!take4(&at, end, &m->n, 1)) goto fail;
  if (m->n < 1 || m->n > MLP_MAX_LAYERS) {
    *error = "layer count out of range";
    goto fail;
  }
  if (!take4(&at, end, m->sizes, (size_t)m->n + 1) || !take4(&at, end, &m->N, 1) || !take4(&at, end, &m->activation, 1) ||
      !take4(&at, end, &m->lr, 1)) goto fail;
  *error = "sizes, batch or activation out of range";
  if (m->N < 1 || m->activation < 0 || m->activation > 1) goto fail;
  for (int l = 0; l <= m->n; l++) if (m->sizes[l] < 1) goto fail;
  *error = "out of memory";
  for (int l = 1; l <= m->n; l++) {
    size_t in = (size_t)m->sizes[l - 1], out = (size_t)m->sizes[l], rows = (size_t)m->N;
    if (!(m->W[l] = malloc(in * out * 4)) || !(m->b[l] = malloc(out * 4)) || !(m->dW[l] = malloc(in * out * 4)) ||
        !(m->db[l] = malloc(out * 4)) || !(m->z[l] = malloc(rows * out * 4)) || !(m->a[l] = malloc(rows * out * 4)) ||
        !(m->delta[l] = malloc(rows * out * 4))) goto fail;
  }
  if (!(m->a[0] = malloc((size_t)m->N * m->sizes[0] * 4)) || !(m->labels = malloc((size_t)m->N * 4))) goto fail;
  *error = "problem too short";
  for (int l = 1; l <= m->n; l++) {
    if (!take4(&at, end, m->W[l], (size_t)m->sizes[l - 1] * m->sizes[l]) || !take4(&at, end, m->b[l], (size_t)m->sizes[l])) goto fail;
  }
  if (!take4(&at, end, m->a[0], (size_t)m->N * m->sizes[0]) || !take4(&at, end, m->labels, (size_t)m->N)) goto fail;
  *error = "problem too long";
  if (at != end) goto fail;
  *error = "label out of range";
  for (int r = 0; r < m->N; r++) if (m->labels[r] < 0 || m->labels[r] >= m->sizes[m->n]) goto fail;
  *error = NULL;
  return m;
fail:
  mlp_free(m);
  return NULL;
}

void mlp_free(Mlp *m) {
  if (m == NULL) return;
  for (int l = 0; l <= MLP_MAX_LAYERS; l++) {
    free(m->W[l]);
    free(m->b[l]);
    free(m->dW[l]);
    free(m->db[l]);
    free(m->z[l]);
    free(m->a[l]);
    free(m->delta[l]);
  }
  free(m->labels);
  free(m);
}

double mlp_gradients(Mlp *m) {
  const int n = m->n, N = m->N, activation = m->activation, *sizes = m->sizes;
  float **W = m->W, **b = m->b, **dW = m->dW, **db = m->db, **z = m->z, **a = m->a, **delta = m->delta;
  const int32_t *labels = m->labels;
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
  return loss / N;
}


double mlp_step(Mlp *m) {
  double loss = mlp_gradients(m);
  for (int l = 1; l <= m->n; l++) {
    cblas_saxpy(m->sizes[l - 1] * m->sizes[l], -m->lr, m->dW[l], 1, m->W[l], 1);
    cblas_saxpy(m->sizes[l], -m->lr, m->db[l], 1, m->b[l], 1);
  }
  return loss;
}
