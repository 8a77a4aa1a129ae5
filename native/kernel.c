/*
 * infodyn native posterior kernel: the fast route of src/engine/blocked.ts (THEORY.md §3) in C.
 *
 * For Q centred queries X (Q × D) against N centred points Y (N × D) with squared norms ‖y_j‖² and log-weights
 * log π_j, per query i at inv_i = 1/(2σ_i²):
 *   ℓ_j + ‖x‖² inv = log π_j − (‖y_j‖² − 2 x·y_j) inv        (the row constant goes back in on the TS side)
 * and the online-softmax sums, relative to the running maximum M (heaviest point j*):
 *   rest = Σ_{j≠j*} e_j, s₂ = Σ e_j ‖y_j‖², Σ_{j≠j*} e_j a_j, Σ e_j², class masses without j*, acc = Σ e_j y_j
 * (per class when class means are wanted), e_j = exp(ℓ_j − M), a_j = ℓ_j − M.
 *
 * Method (flash-attention style, never materialising Q × N): queries in blocks of ≤ 256 rows; data in blocks of
 * P ≈ 1 MB / (8D) points (16…512); per block G = X Yᵀ by a single-threaded dgemm (OpenBLAS, or native/gemm.c
 * built with -DINFODYN_OWN_GEMM), logits, block max, rescale
 * of the running sums by exp(M_old − M_new) when the max rises, a vectorised exp, then acc += E Y by a second
 * dgemm (beta = 1). Threads: with ≤ 256 queries they split the points and their sums merge exactly (merge());
 * with more, they split the queries. The TypeScript side (src/node/nativeKernel.ts) picks the queries, finishes
 * the outputs (finishCentred, src/engine/blocked.ts) and sends every other row — logits not accurate enough for
 * this route (σ small against the data's spread: the posterior concentrated near one point), Tr C cancelled,
 * the full covariance, a set too small to block — to exactRows(): the reference jsPosteriorKernel's arithmetic
 * (same formulas, same summation order, libm exp/log1p; finish_row() is src/engine/finish.ts's finishRow) on the
 * points that can matter, chosen by the matrix-product logits and a rounding bound (screened_row()), rows in
 * blocks split between threads. No row goes back to TypeScript.
 *
 * JS: fastRows(X, inv, Y, norms, logW, labels|null, K, flags, threads,
 *              M, jStar, rest, s2, eLog, eSq, classRest|null, acc) → undefined
 *   flags: 1 = class masses, 2 = per-class accumulators (acc is Q × K × D, else Q × D).
 */
#include <math.h>
#include <node_api.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef INFODYN_OWN_GEMM
#include "gemm.h"
#define GEMM_NAME "own"
#else
#include <cblas.h>
#define GEMM_NAME "openblas"
extern void openblas_set_num_threads(int);
/* The two products through OpenBLAS, with native/gemm.h's signature. */
static int infodyn_dgemm(int transB, int m, int n, int k, const double *A, int lda, const double *B, int ldb, double beta, double *C, int ldc) {
  cblas_dgemm(CblasRowMajor, CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k, 1.0, A, lda, B, ldb, beta, C, ldc);
  return 0;
}
#endif

#define QUERY_BLOCK 256
#define MAX_THREADS 16
/* Few queries: the points are always cut into this many shards, whatever the thread count, and the shards' sums
 * merge in shard order, so the results are bit for bit the same for every INFODYN_THREADS (threads only choose
 * who computes a shard). */
#define DATA_SHARDS 4

typedef struct {
  int Q, N, D, K, classes, perClass;
  const double *X, *inv, *Y, *norms, *logW;
  const int32_t *labels;
  double *M, *rest, *s2, *eLog, *eSq, *classRest, *acc;
  int32_t *jStar;
  int P;
  int r0, r1; /* query rows of this job */
  int jlo, jhi; /* points of this job */
  double *own; /* private state (data split), freed after the merge */
  int failed;
} Job;

/*
 * e^x for x ≤ 0, vectorisable: x = n ln 2 + r (Cody–Waite, |r| ≤ ln2/2), e^r by its Taylor polynomial of degree 13
 * (truncation < 5e-18), times 2^n built in the exponent bits. Relative error a few ulp; exactly 1 at x = 0;
 * 0 below −708 (where e^x < 3e-308 is negligible beside the heaviest point's 1).
 */
static inline double exp_neg(double x) {
  const double shifter = 0x1.8p52;
  double xc = x < -708.0 ? -708.0 : x;
  double t = xc * 1.4426950408889634 + shifter;
  double n = t - shifter;
  double r = (xc - n * 6.93147180369123816490e-01) - n * 1.90821492927058770002e-10;
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  int64_t bits = ((int64_t)n + 1023) << 52;
  double scale;
  memcpy(&scale, &bits, sizeof scale);
  return x < -708.0 ? 0.0 : p * scale;
}

/* Turns G (rows × (j1−j0), dot products) into weights e_j for query i, updating its running sums. */
static void weigh_row(Job *jb, int i, double *restrict g, int j0, int j1) {
  const int K = jb->K;
  const int np = j1 - j0;
  const double inv = jb->inv[i];
  const double *restrict lw = jb->logW + j0;
  const double *restrict nr = jb->norms + j0;
#pragma omp simd
  for (int j = 0; j < np; j++) g[j] = lw[j] - (nr[j] - 2 * g[j]) * inv;
  double bm = -INFINITY;
  int bj = -1;
  for (int j = 0; j < np; j++)
    if (g[j] > bm) {
      bm = g[j];
      bj = j0 + j;
    }
  const int w = jb->perClass ? K * jb->D : jb->D;
  double M0 = jb->M[i];
  if (bm > M0) {
    if (M0 == -INFINITY) {
      jb->rest[i] = jb->s2[i] = jb->eLog[i] = jb->eSq[i] = 0;
    } else {
      double scale = exp(M0 - bm);
      double S0 = 1 + jb->rest[i];
      jb->eLog[i] = scale * (jb->eLog[i] + (M0 - bm) * S0);
      jb->rest[i] = S0 * scale;
      jb->s2[i] *= scale;
      jb->eSq[i] *= scale * scale;
      if (jb->classes) {
        jb->classRest[(size_t)i * K + jb->labels[jb->jStar[i]]] += 1;
        for (int c = 0; c < K; c++) jb->classRest[(size_t)i * K + c] *= scale;
      }
      double *a = jb->acc + (size_t)i * w;
      for (int k = 0; k < w; k++) a[k] *= scale;
    }
    jb->M[i] = bm;
    jb->jStar[i] = bj;
  }
  const double M = jb->M[i];
  const int star = jb->jStar[i] - j0; /* outside [0, np) when the heaviest point is in another block */
  if (M == -INFINITY) {
    memset(g, 0, sizeof(double) * (size_t)np);
    return;
  }
  double rest = 0, s2 = 0, eLog = 0, eSq = 0;
#pragma omp simd reduction(+ : rest, s2, eLog, eSq)
  for (int j = 0; j < np; j++) {
    double a = g[j] - M;
    double e = exp_neg(a);
    g[j] = e;
    double ac = a < -708.0 ? 0.0 : a;
    rest += j == star ? 0.0 : e;
    eLog += e * ac;
    s2 += e * nr[j];
    eSq += e * e;
  }
  if (jb->classes)
    for (int j = 0; j < np; j++)
      if (j != star && g[j] != 0) jb->classRest[(size_t)i * K + jb->labels[j0 + j]] += g[j];
  jb->rest[i] += rest;
  jb->s2[i] += s2;
  jb->eLog[i] += eLog;
  jb->eSq[i] += eSq;
}

static void *run_job(void *arg) {
  Job *jb = (Job *)arg;
  const int D = jb->D, P = jb->P;
  double *G = malloc(sizeof(double) * (size_t)QUERY_BLOCK * P);
  if (!G) {
    jb->failed = 1;
    return NULL;
  }
  for (int q0 = jb->r0; q0 < jb->r1; q0 += QUERY_BLOCK) {
    int q1 = q0 + QUERY_BLOCK < jb->r1 ? q0 + QUERY_BLOCK : jb->r1;
    int nq = q1 - q0;
    for (int j0 = jb->jlo; j0 < jb->jhi; j0 += P) {
      int j1 = j0 + P < jb->jhi ? j0 + P : jb->jhi;
      int np = j1 - j0;
      const double *Yb = jb->Y + (size_t)j0 * D;
      if (infodyn_dgemm(1, nq, np, D, jb->X + (size_t)q0 * D, D, Yb, D, 0.0, G, np) != 0) {
        jb->failed = 1;
        break;
      }
      for (int i = 0; i < nq; i++) weigh_row(jb, q0 + i, G + (size_t)i * np, j0, j1);
      if (!jb->perClass) {
        if (infodyn_dgemm(0, nq, D, np, G, np, Yb, D, 1.0, jb->acc + (size_t)q0 * D, D) != 0) {
          jb->failed = 1;
          break;
        }
      } else {
        const int K = jb->K;
        for (int i = 0; i < nq; i++) {
          double *a = jb->acc + (size_t)(q0 + i) * K * D;
          const double *e = G + (size_t)i * np;
          for (int j = 0; j < np; j++) {
            if (e[j] == 0) continue;
            double *t = a + (size_t)jb->labels[j0 + j] * D;
            const double *y = Yb + (size_t)j * D;
            for (int k = 0; k < D; k++) t[k] += e[j] * y[k];
          }
        }
      }
    }
  }
  free(G);
  return NULL;
}

/*
 * Merges job b's sums (later points) into job a's, exactly as if a's rows had gone on over b's points: the side
 * with the lower maximum (b on ties, as the online pass keeps the first maximum) is rescaled by
 * s = exp(M_lo − M_hi): rest += s (1 + rest_lo), Σ e a += s (Σ e a_lo + (M_lo − M_hi)(1 + rest_lo)), s₂ and acc
 * += s·(…), Σ e² += s² Σ e²_lo, class masses += s (masses_lo + 1 for the class of lo's heaviest point).
 */
/* A thread's share of the jobs: first, first + stride, … below count. */
typedef struct {
  Job *jobs;
  int first, stride, count;
} Pool;

static void *run_pool(void *arg) {
  Pool *p = (Pool *)arg;
  for (int j = p->first; j < p->count; j += p->stride) run_job(&p->jobs[j]);
  return NULL;
}

static void merge(Job *a, Job *b, int Q, size_t w) {
  const int K = a->K;
  for (int i = 0; i < Q; i++) {
    if (b->M[i] == -INFINITY) continue;
    int bHi = a->M[i] == -INFINITY || b->M[i] > a->M[i];
    Job *hi = bHi ? b : a, *lo = bHi ? a : b;
    double sc = lo->M[i] == -INFINITY ? 0.0 : exp(lo->M[i] - hi->M[i]);
    double dM = lo->M[i] == -INFINITY ? 0.0 : lo->M[i] - hi->M[i];
    double S = lo->M[i] == -INFINITY ? 0.0 : 1 + lo->rest[i];
    double rest = hi->rest[i] + sc * S;
    double eLog = hi->eLog[i] + sc * (lo->eLog[i] + dM * S);
    double s2 = hi->s2[i] + sc * lo->s2[i];
    double eSq = hi->eSq[i] + sc * sc * lo->eSq[i];
    double *ah = hi->acc + (size_t)i * w, *al = lo->acc + (size_t)i * w, *ao = a->acc + (size_t)i * w;
    for (size_t k = 0; k < w; k++) ao[k] = ah[k] + sc * al[k];
    if (a->classes) {
      int cl = lo->jStar[i] >= 0 ? a->labels[lo->jStar[i]] : -1;
      double *ch = hi->classRest + (size_t)i * K, *cr = lo->classRest + (size_t)i * K, *co = a->classRest + (size_t)i * K;
      for (int c = 0; c < K; c++) co[c] = ch[c] + sc * (cr[c] + (c == cl ? 1.0 : 0.0));
    }
    a->M[i] = hi->M[i];
    a->jStar[i] = hi->jStar[i];
    a->rest[i] = rest;
    a->eLog[i] = eLog;
    a->s2[i] = s2;
    a->eSq[i] = eSq;
  }
}

static double *f64(napi_env env, napi_value v, size_t *len) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_null || t == napi_undefined) return NULL;
  napi_typedarray_type type;
  size_t n;
  void *data;
  if (napi_get_typedarray_info(env, v, &type, &n, &data, NULL, NULL) != napi_ok) return NULL;
  if (len) *len = n;
  return (double *)data;
}

static napi_value fast_rows(napi_env env, napi_callback_info info) {
  size_t argc = 17;
  napi_value argv[17];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 17) {
    napi_throw_error(env, NULL, "fastRows: expected 17 arguments");
    return NULL;
  }
  size_t Q, ND, N;
  Job base;
  memset(&base, 0, sizeof base);
  base.inv = f64(env, argv[1], &Q);
  base.Y = f64(env, argv[2], &ND);
  base.norms = f64(env, argv[3], &N);
  base.logW = f64(env, argv[4], NULL);
  base.labels = (const int32_t *)f64(env, argv[5], NULL);
  int32_t K, flags, threads;
  napi_get_value_int32(env, argv[6], &K);
  napi_get_value_int32(env, argv[7], &flags);
  napi_get_value_int32(env, argv[8], &threads);
  base.X = f64(env, argv[0], NULL);
  base.M = f64(env, argv[9], NULL);
  base.jStar = (int32_t *)f64(env, argv[10], NULL);
  base.rest = f64(env, argv[11], NULL);
  base.s2 = f64(env, argv[12], NULL);
  base.eLog = f64(env, argv[13], NULL);
  base.eSq = f64(env, argv[14], NULL);
  base.classRest = f64(env, argv[15], NULL);
  base.acc = f64(env, argv[16], NULL);
  base.Q = (int)Q;
  base.N = (int)N;
  base.D = N > 0 ? (int)(ND / N) : 1;
  base.K = K;
  base.classes = (flags & 1) != 0;
  base.perClass = (flags & 2) != 0;
  /* Points per block: ~1 MB of data, at least 16, at most 512. */
  int P = (int)((1 << 20) / (8 * (size_t)base.D));
  base.P = P < 16 ? 16 : P > 512 ? 512 : P;
  if (!base.X || !base.inv || !base.M || !base.jStar || !base.rest || !base.s2 || !base.eLog || !base.eSq || !base.acc ||
      (base.classes && (!base.classRest || !base.labels)) || (base.perClass && !base.labels)) {
    napi_throw_error(env, NULL, "fastRows: missing array");
    return NULL;
  }
  if (threads < 1) threads = 1;
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  /* Few queries (one block): the points are cut into DATA_SHARDS shards whose partial sums merge (the cut does
   * not depend on the thread count); else the threads split the queries (each row's arithmetic is its own). */
  int dataSplit = Q <= QUERY_BLOCK && base.N >= 2 * DATA_SHARDS * base.P;
  int jobCount = dataSplit ? DATA_SHARDS : threads;
  if (!dataSplit && jobCount > (int)Q) jobCount = Q > 0 ? (int)Q : 1;
  if (threads > jobCount) threads = jobCount;
  Job jobs[MAX_THREADS];
  pthread_t tid[MAX_THREADS];
  int started[MAX_THREADS] = {0};
  int failed = 0;
  const size_t w = base.perClass ? (size_t)K * base.D : (size_t)base.D;
  for (int t = 0; t < jobCount; t++) {
    jobs[t] = base;
    jobs[t].r0 = dataSplit ? 0 : (int)((Q * t) / jobCount);
    jobs[t].r1 = dataSplit ? (int)Q : (int)((Q * (t + 1)) / jobCount);
    jobs[t].jlo = dataSplit ? (int)((N * t) / jobCount) : 0;
    jobs[t].jhi = dataSplit ? (int)((N * (t + 1)) / jobCount) : (int)N;
    if (dataSplit && t > 0) {
      size_t cr = base.classes ? Q * (size_t)K : 0;
      double *m = calloc(Q * (6 + w) + cr, sizeof(double));
      if (!m) {
        failed = 1;
        jobCount = t;
        break;
      }
      jobs[t].own = m;
      jobs[t].M = m;
      jobs[t].rest = m + Q;
      jobs[t].s2 = m + 2 * Q;
      jobs[t].eLog = m + 3 * Q;
      jobs[t].eSq = m + 4 * Q;
      jobs[t].jStar = (int32_t *)(m + 5 * Q);
      jobs[t].acc = m + 6 * Q;
      jobs[t].classRest = base.classes ? m + Q * (6 + w) : NULL;
      for (size_t i = 0; i < Q; i++) {
        jobs[t].M[i] = -INFINITY;
        jobs[t].jStar[i] = -1;
      }
    }
  }
  if (failed) {
    for (int t = 1; t < jobCount; t++) free(jobs[t].own);
    napi_throw_error(env, NULL, "fastRows: out of memory");
    return NULL;
  }
  /* Thread t runs jobs t, t + threads, t + 2·threads, … (thread 0 is this one). */
  Pool pools[MAX_THREADS];
  for (int t = 0; t < threads; t++) pools[t] = (Pool){jobs, t, threads, jobCount};
  for (int t = 1; t < threads; t++) started[t] = pthread_create(&tid[t], NULL, run_pool, &pools[t]) == 0;
  for (int t = 1; t < threads; t++)
    if (!started[t]) run_pool(&pools[t]);
  run_pool(&pools[0]);
  for (int t = 1; t < threads; t++)
    if (started[t]) pthread_join(tid[t], NULL);
  for (int t = 0; t < jobCount; t++) failed |= jobs[t].failed;
  if (dataSplit)
    for (int t = 1; t < jobCount; t++) {
      merge(&jobs[0], &jobs[t], (int)Q, w);
      free(jobs[t].own);
    }
  if (failed) napi_throw_error(env, NULL, "fastRows: out of memory");
  return NULL;
}

/* ---- The exact route: the reference kernel (src/engine/reference.ts) on the points that can matter ---- */

/*
 * Tr C = s₂/S − ‖s₁/S‖² counts as cancelled below this fraction of s₂/S: TRACE_CANCELLED_RATIO of
 * src/engine/finish.ts (1/16: at most 4 bits lost to the subtraction; the reason is written there).
 */
#define TRACE_CANCELLED_RATIO (1.0 / 16.0)
/* The reference's margin: a point whose direct logit is more than 750 below the maximum is left out (its weight
 * e^{a} < e^{−750} underflows to 0 anyway). */
#define FULL_MARGIN 750.0
/* Relative accuracy the screened margins guarantee for Tr C and the class means (and, through SCREEN_MASS,
 * every other output): far inside the backends' 1e-12. */
#define SCREEN_TAU 1e-15
/* Largest total weight (relative to the heaviest point's 1) the screened margin may leave out. */
#define SCREEN_MASS 1e-17
/* Work (rows · N · D) per thread below which one thread runs: a pthread costs about as much as 10⁵ flops. */
#define MIN_THREAD_WORK (1 << 17)

typedef struct {
  int N, D, K, nrows, classes, want, screen, blockRows;
  const double *P, *Yc, *norms, *center, *logW, *q, *sigma;
  const int32_t *labels, *rows;
  const double *radius; /* ‖y_j − c‖ (screened route) */
  double rmax;          /* max_j ‖y_j − c‖ */
  double *mean, *traceCov, *logPartition, *cov, *entropy, *part, *classProbs, *classMeans, *classEntropy;
  int *next; /* the next block to take, shared by the threads */
  int failed;
  double candidates, kept, full, screenedRows;
} Ex;

enum { W_ENTROPY = 1, W_PART = 2, W_CLASSES = 4, W_CLASSMEANS = 8, W_COV = 16 };

/* One row's posterior sums about an origin o, the heaviest point's e = 1 left out of rest and the class masses. */
typedef struct {
  double rest, s2, eLog, eSq;
  const double *s1;        /* D */
  const double *classRest; /* K, or NULL without classes */
  const double *classS1;   /* K × D, or NULL without class means */
} RowSums;

/*
 * finishRow of src/engine/finish.ts, the same arithmetic in the same order: S = 1 + rest, m = o + s₁/S,
 * Tr C = s₂/S − ‖s₁/S‖², log Z = logZ0 + log1p(rest), h = log1p(rest) − Σ e a/S, Σw² = Σ e²/S², class masses
 * M_c (M_{c*} = 1 + rest_{c*}), p(c|x) = M_c/S, H(c|x) = (M_{c*}/S) log1p(O/M_{c*}) − Σ_{c≠c*} (M_c/S)(log M_c − log S)
 * with O = Σ_{c≠c*} M_c, m_c = o + s₁,c/M_c.
 * Returns 1 where Tr C cancelled (below TRACE_CANCELLED_RATIO · s₂/S, or NaN): the caller runs exact_spread().
 */
static int finish_row(Ex *rf, int b, const RowSums *r, const double *origin, double logZ0, int cStar) {
  const int D = rf->D, K = rf->K;
  const double S = 1 + r->rest;
  const double logS = log1p(r->rest);
  double mm = 0;
  for (int k = 0; k < D; k++) {
    double shift = r->s1[k] / S;
    rf->mean[(size_t)b * D + k] = origin[k] + shift;
    mm += shift * shift;
  }
  const double raw = r->s2 / S;
  const double tr = raw - mm;
  rf->traceCov[b] = fmax(0, tr);
  rf->logPartition[b] = logZ0 + logS;
  if (rf->want & W_ENTROPY) rf->entropy[b] = fmax(0, logS - r->eLog / S);
  if (rf->want & W_PART) rf->part[b] = r->eSq / (S * S);
  if (rf->classes && r->classRest) {
    double others = 0;
    for (int c = 0; c < K; c++)
      if (c != cStar) others += r->classRest[c];
    const double main = 1 + r->classRest[cStar];
    double hc = (main / S) * log1p(others / main);
    for (int c = 0; c < K; c++) {
      double rc = r->classRest[c];
      double mass = c == cStar ? main : rc;
      if (mass > 0 && c != cStar) hc -= (mass / S) * (log(mass) - logS);
      rf->classProbs[(size_t)b * K + c] = mass / S;
      if ((rf->want & W_CLASSMEANS) && r->classS1)
        for (int k = 0; k < D; k++)
          rf->classMeans[((size_t)b * K + c) * D + k] = mass > 0 ? origin[k] + r->classS1[(size_t)c * D + k] / mass : 0;
    }
    rf->classEntropy[b] = fmax(0, hc);
  }
  return !(tr >= TRACE_CANCELLED_RATIO * raw);
}

/*
 * exactSpread of src/engine/finish.ts over the candidates idx[0 … count): Σ w_j ‖y_j − m‖², w_j = e^{a_j}/S
 * (a_j = a[i] for j = idx[i], −∞ when left out), m the mean already written; with the covariance,
 * Σ w_j (y_j − m)(y_j − m)ᵀ into its row b (zeroed first). The points not listed have weight 0 here, so this is
 * the reference's pass 3 term for term, in the same order.
 */
static void exact_spread(Ex *rf, int b, const int32_t *idx, int count, const double *a, double S) {
  const int D = rf->D;
  const double *points = rf->P, *m = rf->mean + (size_t)b * D;
  double *covariance = rf->want & W_COV ? rf->cov + (size_t)b * D * D : NULL;
  if (covariance) memset(covariance, 0, sizeof(double) * (size_t)D * D);
  double acc = 0;
  for (int i = 0; i < count; i++) {
    double e = exp(a[i]);
    if (e == 0) continue;
    double w = e / S;
    const double *y = points + (size_t)idx[i] * D;
    double u2 = 0;
    for (int k = 0; k < D; k++) {
      double u = y[k] - m[k];
      u2 += u * u;
      if (covariance)
        for (int l = 0; l <= k; l++) covariance[(size_t)k * D + l] += w * u * (y[l] - m[l]);
    }
    acc += w * u2;
  }
  if (covariance)
    for (int k = 0; k < D; k++)
      for (int l = 0; l < k; l++) covariance[(size_t)l * D + k] = covariance[(size_t)k * D + l];
  rf->traceCov[b] = acc;
}

/* The reference's direct logit log π_j − ‖x − y_j‖²/(2σ²) (the squared distance summed term by term). */
static inline double direct_logit(const Ex *rf, const double *x, int j, double inv) {
  const int D = rf->D;
  const double *y = rf->P + (size_t)j * D;
  double d2 = 0;
  for (int k = 0; k < D; k++) {
    double t = x[k] - y[k];
    d2 += t * t;
  }
  return rf->logW[j] - d2 * inv;
}

/* Per-thread scratch. */
typedef struct {
  double *G, *Xc, *nx, *a, *u2, *s1, *cls, *cs1, *top, *Lc, *tc;
  int32_t *idx;
} Scratch;

/*
 * The reference's passes 1–3 for row b on the candidates idx[0 … count) (ascending): pass 1 the direct logits
 * ℓ_j = log π_j − ‖x − y_j‖²/(2σ²), their maximum M and its first index j*; pass 2 leaves out a point with
 * ℓ_j < M − 750, as the reference does, and for the others takes the difference to the heaviest point without
 * cancellation, a_j = log π_j − log π_* − (y_j − y*)·(y_j + y* − 2x)/(2σ²), e_j = e^{a_j}, and sums rest, s₁, s₂,
 * Σ e a, Σ e² and the class sums about y* — leaving out also, with a margin mu < 750, a point with a_j < −mu,
 * unless (with class means and muClass < 750) it is within muClass of the largest a_j of its class; then
 * finish_row() and, where Tr C cancelled or the covariance is wanted, exact_spread(). With both margins 750 and
 * candidates that include every point within 750 of M this is the reference row term for term (the points not
 * listed would be left out by its own test). Returns the number of points kept and S = 1 + rest in *sum.
 */
static int exact_row(Ex *rf, Scratch *sc, int b, const int32_t *idx, int count, double mu, double muClass, double *sum) {
  const int D = rf->D, C = rf->K;
  const double *points = rf->P, *logWeights = rf->logW, *x = rf->q + (size_t)b * D;
  const int32_t *labels = rf->labels;
  double *classRest = rf->classes ? sc->cls : NULL;
  double *classS1 = rf->classes && (rf->want & W_CLASSMEANS) ? sc->cs1 : NULL;
  double *logits = sc->a, *u2s = sc->u2, *s1 = sc->s1, *top = sc->top;
  const int perClass = classS1 && muClass < FULL_MARGIN;
  const double s = rf->sigma[b];
  const double inv = 1 / (2 * s * s);
  double M = -INFINITY;
  int jStar = count > 0 ? idx[0] : 0;
  for (int i = 0; i < count; i++) {
    double l = direct_logit(rf, x, idx[i], inv);
    logits[i] = l;
    if (l > M) {
      M = l;
      jStar = idx[i];
    }
  }
  const double *ys = points + (size_t)jStar * D;
  const double lwStar = logWeights[jStar];
  if (perClass)
    for (int c = 0; c < C; c++) top[c] = -INFINITY;
  for (int i = 0; i < count; i++) {
    if (logits[i] - M < -FULL_MARGIN) {
      logits[i] = -INFINITY;
      continue;
    }
    const double *y = points + (size_t)idx[i] * D;
    double u2 = 0, uv = 0;
    for (int k = 0; k < D; k++) {
      double u = y[k] - ys[k];
      uv += u * (y[k] + ys[k] - 2 * x[k]);
      u2 += u * u;
    }
    double a = logWeights[idx[i]] - lwStar - uv * inv;
    logits[i] = a;
    u2s[i] = u2;
    if (perClass && a > top[labels[idx[i]]]) top[labels[idx[i]]] = a;
  }
  memset(s1, 0, sizeof(double) * D);
  if (classRest) memset(classRest, 0, sizeof(double) * C);
  if (classS1) memset(classS1, 0, sizeof(double) * (size_t)C * D);
  double rest = 0, s2 = 0, eLog = 0, eSq = 0;
  int kept = 0;
  for (int i = 0; i < count; i++) {
    const int j = idx[i];
    const double a = logits[i];
    if (a == -INFINITY) continue;
    if (a < -mu && !(perClass && a >= top[labels[j]] - muClass)) { /* screened margins: see screened_row */
      logits[i] = -INFINITY;
      continue;
    }
    kept++;
    double e = exp(a);
    if (e == 0) continue;
    const double *y = points + (size_t)j * D;
    if (j != jStar) rest += e;
    for (int k = 0; k < D; k++) s1[k] += e * (y[k] - ys[k]);
    s2 += e * u2s[i];
    eLog += e * a;
    eSq += e * e;
    if (classRest) {
      int c = labels[j];
      if (j != jStar) classRest[c] += e;
      if (classS1)
        for (int k = 0; k < D; k++) classS1[(size_t)c * D + k] += e * (y[k] - ys[k]);
    }
  }
  RowSums r = {rest, s2, eLog, eSq, s1, classRest, classS1};
  int cancelled = finish_row(rf, b, &r, ys, M, classRest ? labels[jStar] : -1);
  if (cancelled || (rf->want & W_COV)) exact_spread(rf, b, idx, count, logits, 1 + rest);
  *sum = 1 + rest;
  return kept;
}

/*
 * The candidates: every j with ub[j] ≥ t, or (with tc) ub[j] ≥ tc[class of j], ascending; all points when none
 * qualifies.
 */
static int candidates(const Ex *rf, const double *ub, double t, const double *tc, int32_t *idx) {
  int count = 0;
  for (int j = 0; j < rf->N; j++)
    if (ub[j] >= t || (tc && ub[j] >= tc[rf->labels[j]])) idx[count++] = j;
  if (count == 0) /* NaN or overflowing arithmetic: the whole set, as the reference */
    for (int j = 0; j < rf->N; j++) idx[count++] = j;
  return count;
}

/* The reference's logit difference log π_j − log π_* − (y_j − y*)·(y_j + y* − 2x)/(2σ²), as exact_row forms it. */
static inline double logit_difference(const Ex *rf, const double *x, int j, int jStar, double inv) {
  const int D = rf->D;
  const double *y = rf->P + (size_t)j * D, *ys = rf->P + (size_t)jStar * D;
  double uv = 0;
  for (int k = 0; k < D; k++) uv += (y[k] - ys[k]) * (y[k] + ys[k] - 2 * x[k]);
  return rf->logW[j] - rf->logW[jStar] - uv * inv;
}

/*
 * Row b by the screened reference. ub[j] = ℓ̃_j + β_j, with ℓ̃_j the matrix-product logit and β_j its bound
 * (exact_block: ℓ̃_j − β_j ≤ ℓ_j ≤ ℓ̃_j + β_j for the exact logit ℓ_j and for the reference's direct one); L and L2
 * the largest and second largest of ℓ̃_j − β_j; bmax = 4(D+4) ε (‖x−c‖ + max_j‖y_j−c‖)²/(2σ²) ≥ every β_j and
 * every rounding bound of a logit difference a_j.
 *
 * 1. The two heaviest points by the reference's direct logits: they are among T2 = {j : ub_j ≥ L2} (at least two
 *    points have ℓ_j ≥ ℓ̃_j − β_j ≥ L2, so the second largest logit is ≥ L2), a handful of points: M and j* (the
 *    reference's maximum and heaviest point), the runner-up j2, its logit difference a₂ and squared distance d².
 * 2. The margin mu = max(log N − log SCREEN_MASS, −a₂ + log(2N R²/(τ d²))), at most 750, with R = 2 max_j‖y_j − c‖
 *    (≥ ‖y_j − m‖ for every j and any m in the convex hull) and τ = SCREEN_TAU. exact_row() then leaves out, besides
 *    what the reference leaves out, every point with a_j < −mu: those carry δ ≤ N e^{−mu} ≤ SCREEN_MASS of the
 *    weight and at most δ R²/S of Tr C, while the runner-up alone gives Tr C ≥ w₁w₂/(w₁ + w₂) d² ≥ e^{a₂} d²/(2S)
 *    (w₁ = 1/S, the heaviest point's weight): they change Tr C by < τ relative and every other output but the
 *    class means by < δ. The full margin (the reference's 750) where the covariance is wanted, or where there is
 *    no runner-up apart from y*.
 *    A class mean m_c is relative to its class's own mass M_c, however small: with class means, a point is kept
 *    also within muClass = log N + log(4√D) − log τ of the largest a_j of its class, A_c. The points of class c
 *    left out then weigh ≤ N e^{A_c − muClass} ≤ N e^{−muClass} M_c and move m_c by ≤ N e^{−muClass} · 2 max‖y−c‖
 *    = τ max‖y−c‖/(2√D) ≤ τ max|y| (|y_jk − c_k| ≤ 2 max|y|): far inside the backends' 1e-12 of max|y|.
 * 3. The candidates C = {j : ub_j ≥ L − mu − 1 − 2 bmax}: a point with a_j ≥ −mu has ℓ_j ≥ ℓ_* − mu − bmax and
 *    ℓ_* ≥ M − β_* ≥ L − bmax, so it is in C; with class means also {j : ub_j ≥ L_c − muClass − 1 − 4 bmax} for
 *    j in class c, L_c the largest ℓ̃ − β in c (the point with a_j = A_c has ℓ_j ≥ L_c − 2 bmax, so one within
 *    muClass of it has ℓ_j ≥ L_c − muClass − 3 bmax); with the full margin C = {j : ub_j ≥ L − 751} holds every
 *    point the reference keeps (ℓ_j ≥ M − 750 ≥ L − 750). exact_row() on C.
 * 4. With mu below 750, the bound checked on the result: δ = (N − kept) e^{−mu} ≤ SCREEN_MASS and
 *    δ R² ≤ τ S Tr C (S = 1 + rest); else the row again with the full margin.
 * Every choice is made from the direct logits and the logit differences, never from ℓ̃, so a row's result does
 * not depend on the matrix product's rounding, on the other rows or on the thread count.
 */
static void screened_row(Ex *rf, Scratch *sc, int b, const double *ub, double L, double L2, double bmax) {
  const int N = rf->N, D = rf->D, K = rf->K;
  const double *x = rf->q + (size_t)b * D;
  const double s = rf->sigma[b];
  const double inv = 1 / (2 * s * s);
  const double R2 = 4 * rf->rmax * rf->rmax;
  double mu = FULL_MARGIN;
  if (!(rf->want & W_COV) && N >= 2 && L2 > -INFINITY) {
    double M = -INFINITY, M2 = -INFINITY;
    int jStar = -1, j2 = -1;
    for (int j = 0; j < N; j++) {
      if (!(ub[j] >= L2)) continue;
      double l = direct_logit(rf, x, j, inv);
      if (l > M) {
        M2 = M;
        j2 = jStar;
        M = l;
        jStar = j;
      } else if (l > M2) {
        M2 = l;
        j2 = j;
      }
    }
    if (j2 >= 0 && M2 > -INFINITY) {
      const double *ys = rf->P + (size_t)jStar * D, *y2 = rf->P + (size_t)j2 * D;
      double d2 = 0;
      for (int k = 0; k < D; k++) {
        double u = y2[k] - ys[k];
        d2 += u * u;
      }
      double need = -logit_difference(rf, x, j2, jStar, inv) + log(2.0 * N * R2 / (SCREEN_TAU * d2));
      double least = log((double)N) - log(SCREEN_MASS);
      if (d2 > 0 && isfinite(need)) mu = fmin(FULL_MARGIN, fmax(least, need));
    }
  }
  double muClass = FULL_MARGIN;
  const double *tc = NULL;
  if (mu < FULL_MARGIN && (rf->want & W_CLASSMEANS)) {
    muClass = fmin(FULL_MARGIN, log((double)N) + log(4 * sqrt((double)D)) - log(SCREEN_TAU));
    for (int c = 0; c < K; c++) sc->tc[c] = sc->Lc[c] - muClass - 1 - 4 * bmax;
    tc = sc->tc;
  }
  int count = candidates(rf, ub, mu < FULL_MARGIN ? L - mu - 1 - 2 * bmax : L - FULL_MARGIN - 1, tc, sc->idx);
  double S;
  int kept = exact_row(rf, sc, b, sc->idx, count, mu, muClass, &S);
  if (mu < FULL_MARGIN) {
    double delta = (double)(N - kept) * exp(-mu);
    if (!(delta <= SCREEN_MASS && delta * R2 <= SCREEN_TAU * S * rf->traceCov[b])) {
      rf->full += 1;
      count = candidates(rf, ub, L - FULL_MARGIN - 1, NULL, sc->idx);
      kept = exact_row(rf, sc, b, sc->idx, count, FULL_MARGIN, FULL_MARGIN, &S);
    }
  }
  rf->candidates += count;
  rf->kept += kept;
  rf->screenedRows += 1;
}

/*
 * One block of listed rows [r0, r1) on the screened route. The centred queries X_i = x_i − c (as
 * src/engine/prepared.ts centres them) against the centred points, G = X Ycᵀ by dgemm, and per row
 * ℓ̃_j = log π_j − (‖x−c‖² + ‖y_j−c‖² − 2G_ij)/(2σ²) with the bound β_j = 4(D+4) ε (‖x−c‖ + ‖y_j−c‖)²/(2σ²) on
 * its distance both to the exact logit ℓ_j and to the reference's direct one: each of the three inner products,
 * and the reference's direct sum, is off by at most γ_D (‖x−c‖ + ‖y_j−c‖)² with γ_D ≈ D ε/2 in any summation
 * order, with or without FMA (Higham, Accuracy and Stability, §3.1); the centring and the three additions add
 * (4 ε)(…)², so β_j holds with a factor 4 to spare (the same for the logit difference a_j, whose terms are at most
 * 2 max‖y−c‖ and 2(‖x−c‖ + max‖y−c‖): bmax below). The rounding of log π_j (|log π_j| ≲ 800) is covered by the
 * candidates' 1-nat slack. test/native.test.ts has a case (σ = 1e-6, queries 1000 from the data) where ℓ̃ is off
 * by hundreds of nats and only these bounds keep the right points.
 */
static void exact_block(Ex *rf, Scratch *sc, int r0, int r1) {
  const int N = rf->N, D = rf->D, nb = r1 - r0;
  const double gamma = 4.0 * (D + 4) * 0x1p-52;
  for (int i = 0; i < nb; i++) {
    const int b = rf->rows[r0 + i];
    double t = 0;
    for (int k = 0; k < D; k++) {
      double v = rf->q[(size_t)b * D + k] - rf->center[k];
      sc->Xc[(size_t)i * D + k] = v;
      t += v * v;
    }
    sc->nx[i] = t;
  }
  if (infodyn_dgemm(1, nb, N, D, sc->Xc, D, rf->Yc, D, 0.0, sc->G, N) != 0) {
    rf->failed = 1;
    return;
  }
  for (int i = 0; i < nb; i++) {
    const int b = rf->rows[r0 + i];
    const double s = rf->sigma[b];
    const double inv = 1 / (2 * s * s);
    const double nx = sc->nx[i], rx = sqrt(nx), gi = gamma * inv;
    double *g = sc->G + (size_t)i * N;
    double L = -INFINITY, L2 = -INFINITY;
    for (int j = 0; j < N; j++) {
      double l = rf->logW[j] - (nx + rf->norms[j] - 2 * g[j]) * inv;
      double r = rx + rf->radius[j];
      double beta = gi * r * r;
      double lb = l - beta;
      g[j] = l + beta;
      if (lb > L) {
        L2 = L;
        L = lb;
      } else if (lb > L2) {
        L2 = lb;
      }
    }
    if (rf->want & W_CLASSMEANS) { /* L_c: the largest ℓ̃ − β of each class */
      for (int c = 0; c < rf->K; c++) sc->Lc[c] = -INFINITY;
      for (int j = 0; j < N; j++) {
        double r = rx + rf->radius[j];
        double lb = g[j] - 2 * gi * r * r;
        if (lb > sc->Lc[rf->labels[j]]) sc->Lc[rf->labels[j]] = lb;
      }
    }
    const double rb = rx + rf->rmax;
    screened_row(rf, sc, b, g, L, L2, gi * rb * rb);
  }
}

static void *run_exact(void *arg) {
  Ex *rf = (Ex *)arg;
  const size_t N = (size_t)rf->N, D = (size_t)rf->D, K = (size_t)rf->K, nb = (size_t)rf->blockRows;
  const size_t screen = rf->screen ? 1 : 0;
  double *buf = malloc(sizeof(double) * (2 * N + D + 4 * K + K * D + 1 + screen * (nb * N + nb * D + nb)));
  int32_t *idx = malloc(sizeof(int32_t) * (N + 1));
  if (!buf || !idx) {
    free(buf);
    free(idx);
    rf->failed = 1;
    return NULL;
  }
  Scratch sc = {0};
  double *p = buf;
  sc.a = p, p += N;
  sc.u2 = p, p += N;
  sc.s1 = p, p += D;
  sc.cls = p, p += K;
  sc.top = p, p += K;
  sc.Lc = p, p += K;
  sc.tc = p, p += K;
  sc.cs1 = p, p += K * D + 1;
  sc.idx = idx;
  if (screen) {
    sc.G = p, p += nb * N;
    sc.Xc = p, p += nb * D;
    sc.nx = p;
  }
  const int blocks = (rf->nrows + rf->blockRows - 1) / rf->blockRows;
  if (!screen)
    for (int j = 0; j < rf->N; j++) idx[j] = j;
  for (int blk; (blk = __atomic_fetch_add(rf->next, 1, __ATOMIC_RELAXED)) < blocks;) {
    int r0 = blk * rf->blockRows, r1 = r0 + rf->blockRows < rf->nrows ? r0 + rf->blockRows : rf->nrows;
    if (screen) {
      exact_block(rf, &sc, r0, r1);
    } else {
      double S;
      for (int r = r0; r < r1; r++) {
        rf->kept += exact_row(rf, &sc, rf->rows[r], idx, rf->N, FULL_MARGIN, FULL_MARGIN, &S);
        rf->candidates += rf->N;
      }
    }
  }
  free(buf);
  free(idx);
  return NULL;
}

/* JS: exactRows(points, centered|null, norms|null, center|null, logW, labels|null, K, queries, sigma (per row),
 *               rows, want, threads, mean, traceCov, logPartition, covariance|null, entropy|null,
 *               participation|null, classProbs|null, classMeans|null, classEntropy|null, stats|null)
 * Every listed row by the reference's arithmetic (exact_row), screened by the matrix-product logits where the
 * centred points, their squared norms and the centre are given (screened_row), else on every point (the
 * reference ported literally). Rows must have σ > 0 and finite queries; every output of a listed row is
 * overwritten. Rows go in blocks of a fixed size (from N) to whichever thread is free; a row's result depends
 * on neither. stats (Float64Array(4), optional) receives: rows screened, candidates, points kept, rows redone with
 * the full margin. */
static napi_value exact_rows(napi_env env, napi_callback_info info) {
  size_t argc = 22;
  napi_value argv[22];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 22) {
    napi_throw_error(env, NULL, "exactRows: expected 22 arguments");
    return NULL;
  }
  Ex base;
  memset(&base, 0, sizeof base);
  size_t N, nrows, PD, NN = 0, YD = 0, CD = 0, SL = 0;
  base.P = f64(env, argv[0], &PD);
  base.Yc = f64(env, argv[1], &YD);
  base.norms = f64(env, argv[2], &NN);
  base.center = f64(env, argv[3], &CD);
  base.logW = f64(env, argv[4], &N);
  base.labels = (const int32_t *)f64(env, argv[5], NULL);
  int32_t K, want, threads;
  napi_get_value_int32(env, argv[6], &K);
  base.q = f64(env, argv[7], NULL);
  base.sigma = f64(env, argv[8], NULL);
  base.rows = (const int32_t *)f64(env, argv[9], &nrows);
  napi_get_value_int32(env, argv[10], &want);
  napi_get_value_int32(env, argv[11], &threads);
  base.mean = f64(env, argv[12], NULL);
  base.traceCov = f64(env, argv[13], NULL);
  base.logPartition = f64(env, argv[14], NULL);
  base.cov = f64(env, argv[15], NULL);
  base.entropy = f64(env, argv[16], NULL);
  base.part = f64(env, argv[17], NULL);
  base.classProbs = f64(env, argv[18], NULL);
  base.classMeans = f64(env, argv[19], NULL);
  base.classEntropy = f64(env, argv[20], NULL);
  double *stats = f64(env, argv[21], &SL);
  base.N = (int)N;
  base.D = N > 0 ? (int)(PD / N) : 0;
  base.K = K;
  base.want = want;
  base.nrows = (int)nrows;
  base.classes = (want & W_CLASSES) != 0;
  base.screen = base.Yc != NULL;
  if (N == 0 || !base.P || !base.q || !base.sigma || !base.rows || !base.mean || !base.traceCov || !base.logPartition ||
      ((want & W_ENTROPY) && !base.entropy) || ((want & W_PART) && !base.part) || ((want & W_COV) && !base.cov) ||
      (base.classes && (!base.labels || !base.classProbs || !base.classEntropy)) ||
      ((want & W_CLASSMEANS) && (!base.classMeans || !base.classes)) ||
      (base.screen && (!base.norms || !base.center || YD != PD || NN != N || CD != (size_t)base.D)) ||
      (stats && SL < 4)) {
    napi_throw_error(env, NULL, "exactRows: missing or mis-sized array");
    return NULL;
  }
  double *radius = NULL;
  if (base.screen) {
    radius = malloc(sizeof(double) * N);
    if (!radius) {
      napi_throw_error(env, NULL, "exactRows: out of memory");
      return NULL;
    }
    for (size_t j = 0; j < N; j++) {
      radius[j] = sqrt(base.norms[j]);
      if (radius[j] > base.rmax) base.rmax = radius[j];
    }
    base.radius = radius;
  }
  /* Rows per block: G (rows × N) within 8 MB, 1 … 16 rows; the threads take the next block as they finish one. */
  size_t nb = ((size_t)1 << 20) / N;
  base.blockRows = nb < 1 ? 1 : nb > 16 ? 16 : (int)nb;
  int next = 0;
  base.next = &next;
  const int blocks = (int)((nrows + base.blockRows - 1) / base.blockRows);
  double work = (double)nrows * (double)N * (double)base.D;
  if (threads < 1) threads = 1;
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  if (threads > blocks) threads = blocks > 0 ? blocks : 1;
  if (threads > 1 && work < (double)threads * MIN_THREAD_WORK)
    threads = work < 2.0 * MIN_THREAD_WORK ? 1 : (int)(work / MIN_THREAD_WORK);
  Ex jobs[MAX_THREADS];
  pthread_t tid[MAX_THREADS];
  int started[MAX_THREADS] = {0};
  for (int t = 0; t < threads; t++) jobs[t] = base;
  for (int t = 1; t < threads; t++) started[t] = pthread_create(&tid[t], NULL, run_exact, &jobs[t]) == 0;
  for (int t = 1; t < threads; t++)
    if (!started[t]) run_exact(&jobs[t]);
  run_exact(&jobs[0]);
  int failed = jobs[0].failed;
  for (int t = 1; t < threads; t++) {
    if (started[t]) pthread_join(tid[t], NULL);
    failed |= jobs[t].failed;
  }
  free(radius);
  if (stats) {
    stats[0] = stats[1] = stats[2] = stats[3] = 0;
    for (int t = 0; t < threads; t++) {
      stats[0] += jobs[t].screenedRows;
      stats[1] += jobs[t].candidates;
      stats[2] += jobs[t].kept;
      stats[3] += jobs[t].full;
    }
  }
  if (failed) napi_throw_error(env, NULL, "exactRows: out of memory");
  return NULL;
}

/* JS: dgemm(transB, m, n, k, A, B, beta, C) → undefined: the product kernel.c uses, row-major and packed (lda = k,
 * ldb = transB ? k : n, ldc = n), for the tests against a naive loop. */
static napi_value dgemm_js(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t dims[4];
  double beta;
  size_t la = 0, lb = 0, lc = 0;
  if (argc != 8) {
    napi_throw_error(env, NULL, "dgemm: expected 8 arguments");
    return NULL;
  }
  for (int i = 0; i < 4; i++) napi_get_value_int32(env, argv[i], &dims[i]);
  napi_get_value_double(env, argv[6], &beta);
  const double *A = f64(env, argv[4], &la), *B = f64(env, argv[5], &lb);
  double *C = f64(env, argv[7], &lc);
  const int tB = dims[0], m = dims[1], n = dims[2], k = dims[3];
  if (!A || !B || !C || m < 0 || n < 0 || k < 0 || la < (size_t)m * k || lb < (size_t)k * n || lc < (size_t)m * n || (beta != 0 && beta != 1)) {
    napi_throw_error(env, NULL, "dgemm: bad sizes or beta (0 or 1)");
    return NULL;
  }
  if (infodyn_dgemm(tB, m, n, k, A, k, B, tB ? k : n, beta, C, n) != 0) napi_throw_error(env, NULL, "dgemm: out of memory");
  return NULL;
}

#ifdef INFODYN_OWN_GEMM
/* JS: setGemmIsa(name) → the micro-kernel now in use ("avx512", "avx2", "generic"); an ISA this CPU lacks is refused
 * (the name returned is the one still in use). Not while a kernel call runs. */
static napi_value set_isa_js(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  char name[32] = "";
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc == 1) napi_get_value_string_utf8(env, argv[0], name, sizeof name, NULL);
  infodyn_gemm_set_isa(name);
  napi_create_string_utf8(env, infodyn_gemm_isa(), NAPI_AUTO_LENGTH, &out);
  return out;
}
#endif

static napi_value init(napi_env env, napi_value exports) {
#ifdef INFODYN_OWN_GEMM
  infodyn_gemm_init(); /* the fastest micro-kernel this CPU runs, chosen once */
  const char *isa = infodyn_gemm_isa();
#else
  openblas_set_num_threads(1); /* our threads split the queries; each dgemm runs on one core */
  const char *isa = "openblas";
#endif
  napi_value fn, str;
  napi_create_function(env, "fastRows", NAPI_AUTO_LENGTH, fast_rows, NULL, &fn);
  napi_set_named_property(env, exports, "fastRows", fn);
  napi_create_function(env, "exactRows", NAPI_AUTO_LENGTH, exact_rows, NULL, &fn);
  napi_set_named_property(env, exports, "exactRows", fn);
  napi_create_function(env, "dgemm", NAPI_AUTO_LENGTH, dgemm_js, NULL, &fn);
  napi_set_named_property(env, exports, "dgemm", fn);
#ifdef INFODYN_OWN_GEMM
  napi_create_function(env, "setGemmIsa", NAPI_AUTO_LENGTH, set_isa_js, NULL, &fn);
  napi_set_named_property(env, exports, "setGemmIsa", fn);
#endif
  napi_create_string_utf8(env, GEMM_NAME, NAPI_AUTO_LENGTH, &str);
  napi_set_named_property(env, exports, "gemm", str);
  napi_create_string_utf8(env, isa, NAPI_AUTO_LENGTH, &str);
  napi_set_named_property(env, exports, "gemmIsa", str);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
