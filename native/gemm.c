/*
 * infodyn's own dgemm (built with -DINFODYN_OWN_GEMM where OpenBLAS is absent): row-major float64
 *   C (m × n, ldc) = [C if beta = 1] + A (m × k, lda) · op(B),  op(B) = Bᵀ for B n × k (NT), else B k × n (NN),
 * the two products of kernel.c (G = X Yᵀ, acc += G Y, G = Xc Ycᵀ). beta is 0 (C is not read) or 1.
 *
 * Method (Goto / BLIS): B in panels of KC × NC packed into strips of NR columns, A in blocks of MC × KC packed
 * into strips of MR rows (both zero-padded at the edges), an MR × NR micro-tile kept in registers over the KC
 * terms, then added to C (edge tiles go through a small buffer). Micro-kernels chosen once at run time:
 *   avx512  12 × 16 (AVX-512F, 24 zmm accumulators),  avx2  6 × 8 (AVX2 + FMA, 12 ymm accumulators),
 *   generic 4 × 8 plain C (what the compiler makes of it with the baseline ISA; any CPU, any architecture).
 * The intrinsics sit in functions with __attribute__((target(...))), so one binary built for the x86-64 baseline
 * runs everywhere and uses what the CPU has (__builtin_cpu_supports); off x86 only the generic kernel is compiled.
 *
 * Accuracy: every C_ij is a running sum over p in order within each KC block (a fused multiply-add, one
 * rounding, per term on the SIMD kernels; a product and a sum on the generic one), the blocks' sums added to C in
 * order: a recursive summation of the k products, split in blocks (which only shortens the chains). So |Ĉ_ij − C_ij| ≤ γ_{k+1} Σ_p |A_ip| |B_pj|, γ_n = n u/(1 − n u),
 * u = 2⁻⁵³: the bound kernel.c's screening assumes of any dgemm (γ = 4 (D + 4) 2⁻⁵²) with room to spare.
 */
#include "gemm.h"

#include <stdlib.h>
#include <string.h>

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define GEMM_X86 1
#include <immintrin.h>
#else
#define GEMM_X86 0
#endif

#define KC 256
#define MC 96 /* a multiple of every MR */
#define NC 4096
#define MR_MAX 12
#define NR_MAX 16

typedef void (*MicroKernel)(int kc, const double *a, const double *b, double *c, int ldc, int beta);

typedef struct {
  const char *name;
  int mr, nr;
  MicroKernel full; /* a whole MR × NR tile straight into C */
} Isa;

/* The generic micro-kernel, 4 × 8: a register tile the compiler can keep in vector registers of any width. */
static void micro_generic(int kc, const double *restrict a, const double *restrict b, double *c, int ldc, int beta) {
  double t[4][8] = {{0}};
  for (int p = 0; p < kc; p++) {
    for (int i = 0; i < 4; i++) {
      const double ai = a[i];
      for (int j = 0; j < 8; j++) t[i][j] += ai * b[j];
    }
    a += 4;
    b += 8;
  }
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 8; j++) c[(size_t)i * ldc + j] = beta ? c[(size_t)i * ldc + j] + t[i][j] : t[i][j];
}

#if GEMM_X86
/* The accumulators are named variables, not an array: gcc keeps an array of vectors in memory and spills it every
 * term (measured on one AMD EPYC core, 512³: 5.3 GFLOP/s with the array, 14.8 with names). ROW(i) is row i's two vectors. */
#define AVX2_ROW(i)                                                         \
  {                                                                         \
    const __m256d ai = _mm256_broadcast_sd(a + i);                          \
    c##i##0 = _mm256_fmadd_pd(ai, b0, c##i##0);                             \
    c##i##1 = _mm256_fmadd_pd(ai, b1, c##i##1);                             \
  }
#define AVX2_STORE(i)                                                                       \
  {                                                                                         \
    double *ci = c + (size_t)i * ldc;                                                       \
    if (beta) {                                                                             \
      c##i##0 = _mm256_add_pd(_mm256_loadu_pd(ci), c##i##0);                                \
      c##i##1 = _mm256_add_pd(_mm256_loadu_pd(ci + 4), c##i##1);                            \
    }                                                                                       \
    _mm256_storeu_pd(ci, c##i##0);                                                          \
    _mm256_storeu_pd(ci + 4, c##i##1);                                                      \
  }
__attribute__((target("avx2,fma"))) static void micro_avx2(int kc, const double *restrict a, const double *restrict b, double *c, int ldc, int beta) {
  __m256d c00 = _mm256_setzero_pd(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256d c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
#pragma GCC unroll 4
  for (int p = 0; p < kc; p++) {
    const __m256d b0 = _mm256_loadu_pd(b), b1 = _mm256_loadu_pd(b + 4);
    AVX2_ROW(0) AVX2_ROW(1) AVX2_ROW(2) AVX2_ROW(3) AVX2_ROW(4) AVX2_ROW(5)
    a += 6;
    b += 8;
  }
  AVX2_STORE(0) AVX2_STORE(1) AVX2_STORE(2) AVX2_STORE(3) AVX2_STORE(4) AVX2_STORE(5)
}

#define AVX512_ROW(i)                                                       \
  {                                                                         \
    const __m512d ai = _mm512_set1_pd(a[i]);                                \
    c##i##0 = _mm512_fmadd_pd(ai, b0, c##i##0);                             \
    c##i##1 = _mm512_fmadd_pd(ai, b1, c##i##1);                             \
  }
#define AVX512_STORE(i)                                                                     \
  {                                                                                         \
    double *ci = c + (size_t)i * ldc;                                                       \
    if (beta) {                                                                             \
      c##i##0 = _mm512_add_pd(_mm512_loadu_pd(ci), c##i##0);                                \
      c##i##1 = _mm512_add_pd(_mm512_loadu_pd(ci + 8), c##i##1);                            \
    }                                                                                       \
    _mm512_storeu_pd(ci, c##i##0);                                                          \
    _mm512_storeu_pd(ci + 8, c##i##1);                                                      \
  }
__attribute__((target("avx512f"))) static void micro_avx512(int kc, const double *restrict a, const double *restrict b, double *c, int ldc, int beta) {
  const __m512d zero = _mm512_setzero_pd();
  __m512d c00 = zero, c01 = zero;
  __m512d c10 = zero, c11 = zero;
  __m512d c20 = zero, c21 = zero;
  __m512d c30 = zero, c31 = zero;
  __m512d c40 = zero, c41 = zero;
  __m512d c50 = zero, c51 = zero;
  __m512d c60 = zero, c61 = zero;
  __m512d c70 = zero, c71 = zero;
  __m512d c80 = zero, c81 = zero;
  __m512d c90 = zero, c91 = zero;
  __m512d c100 = zero, c101 = zero;
  __m512d c110 = zero, c111 = zero;
#pragma GCC unroll 2
  for (int p = 0; p < kc; p++) {
    const __m512d b0 = _mm512_loadu_pd(b), b1 = _mm512_loadu_pd(b + 8);
    AVX512_ROW(0) AVX512_ROW(1) AVX512_ROW(2) AVX512_ROW(3) AVX512_ROW(4) AVX512_ROW(5)
    AVX512_ROW(6) AVX512_ROW(7) AVX512_ROW(8) AVX512_ROW(9) AVX512_ROW(10) AVX512_ROW(11)
    a += 12;
    b += 16;
  }
  AVX512_STORE(0) AVX512_STORE(1) AVX512_STORE(2) AVX512_STORE(3) AVX512_STORE(4) AVX512_STORE(5)
  AVX512_STORE(6) AVX512_STORE(7) AVX512_STORE(8) AVX512_STORE(9) AVX512_STORE(10) AVX512_STORE(11)
}
#endif

static const Isa ISAS[] = {
#if GEMM_X86
    {"avx512", 12, 16, micro_avx512},
    {"avx2", 6, 8, micro_avx2},
#endif
    {"generic", 4, 8, micro_generic},
};
#define ISA_COUNT ((int)(sizeof ISAS / sizeof ISAS[0]))

static const Isa *isa = &ISAS[ISA_COUNT - 1];

static int cpu_has(const char *name) {
#if GEMM_X86
  if (strcmp(name, "avx512") == 0) return __builtin_cpu_supports("avx512f");
  if (strcmp(name, "avx2") == 0) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return strcmp(name, "generic") == 0;
}

void infodyn_gemm_init(void) {
#if GEMM_X86
  __builtin_cpu_init();
#endif
  for (int i = 0; i < ISA_COUNT; i++)
    if (cpu_has(ISAS[i].name)) {
      isa = &ISAS[i];
      return;
    }
}

const char *infodyn_gemm_isa(void) { return isa->name; }

int infodyn_gemm_set_isa(const char *name) {
  for (int i = 0; i < ISA_COUNT; i++)
    if (strcmp(ISAS[i].name, name) == 0 && cpu_has(name)) {
      isa = &ISAS[i];
      return 1;
    }
  return 0;
}

/* A's rows i0…i0+mc, terms p0…p0+kc, as strips of mr rows: strip s, term p, row r at s·kc·mr + p·mr + r. */
static void pack_a(const double *A, int lda, int mc, int kc, int mr, double *out) {
  for (int s = 0; s < mc; s += mr) {
    const int rows = mc - s < mr ? mc - s : mr;
    for (int p = 0; p < kc; p++) {
      for (int r = 0; r < rows; r++) out[r] = A[(size_t)(s + r) * lda + p];
      for (int r = rows; r < mr; r++) out[r] = 0;
      out += mr;
    }
  }
}

/* op(B)'s terms p0…p0+kc, columns j0…j0+nc, as strips of nr columns (term p, column q at p·nr + q in a strip). */
static void pack_b(int transB, const double *B, int ldb, int kc, int nc, int nr, double *out) {
  for (int s = 0; s < nc; s += nr) {
    const int cols = nc - s < nr ? nc - s : nr;
    for (int p = 0; p < kc; p++) {
      if (transB)
        for (int q = 0; q < cols; q++) out[q] = B[(size_t)(s + q) * ldb + p];
      else
        memcpy(out, B + (size_t)p * ldb + s, sizeof(double) * (size_t)cols);
      for (int q = cols; q < nr; q++) out[q] = 0;
      out += nr;
    }
  }
}

int infodyn_dgemm(int transB, int m, int n, int k, const double *A, int lda, const double *B, int ldb, double beta, double *C, int ldc) {
  if (m <= 0 || n <= 0) return 0;
  if (k <= 0) {
    if (beta == 0)
      for (int i = 0; i < m; i++) memset(C + (size_t)i * ldc, 0, sizeof(double) * (size_t)n);
    return 0;
  }
  const Isa *u = isa;
  const int mr = u->mr, nr = u->nr;
  const int ncMax = n < NC ? n : NC, kcMax = k < KC ? k : KC;
  const size_t aSize = (size_t)MC * kcMax, bSize = (size_t)((ncMax + nr - 1) / nr) * nr * kcMax;
  double *pa = aligned_alloc(64, sizeof(double) * ((aSize + bSize + 7) / 8 * 8));
  if (!pa) return -1;
  double *pb = pa + aSize;
  double edge[MR_MAX * NR_MAX];
  for (int jc = 0; jc < n; jc += NC) {
    const int nc = n - jc < NC ? n - jc : NC;
    for (int pc = 0; pc < k; pc += KC) {
      const int kc = k - pc < KC ? k - pc : KC;
      const int accumulate = pc > 0 || beta != 0;
      pack_b(transB, transB ? B + (size_t)jc * ldb + pc : B + (size_t)pc * ldb + jc, ldb, kc, nc, nr, pb);
      for (int ic = 0; ic < m; ic += MC) {
        const int mc = m - ic < MC ? m - ic : MC;
        pack_a(A + (size_t)ic * lda + pc, lda, mc, kc, mr, pa);
        for (int jr = 0; jr < nc; jr += nr) {
          const int cols = nc - jr < nr ? nc - jr : nr;
          const double *bs = pb + (size_t)jr * kc;
          for (int ir = 0; ir < mc; ir += mr) {
            const int rows = mc - ir < mr ? mc - ir : mr;
            const double *as = pa + (size_t)ir * kc;
            double *c = C + (size_t)(ic + ir) * ldc + jc + jr;
            if (rows == mr && cols == nr) {
              u->full(kc, as, bs, c, ldc, accumulate);
            } else { /* an edge tile: the whole tile into a buffer, its live part added to C */
              u->full(kc, as, bs, edge, nr, 0);
              for (int i = 0; i < rows; i++)
                for (int j = 0; j < cols; j++) c[(size_t)i * ldc + j] = accumulate ? c[(size_t)i * ldc + j] + edge[i * nr + j] : edge[i * nr + j];
            }
          }
        }
      }
    }
  }
  free(pa);
  return 0;
}
