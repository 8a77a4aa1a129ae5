/* infodyn's own dgemm (native/gemm.c): row-major float64, C = [C if beta = 1] + A · op(B); 0, or −1 out of memory. */
#ifndef INFODYN_GEMM_H
#define INFODYN_GEMM_H

/* Picks the fastest micro-kernel this CPU runs (once, before any thread calls infodyn_dgemm). */
void infodyn_gemm_init(void);
/* The micro-kernel in use: "avx512", "avx2" or "generic". */
const char *infodyn_gemm_isa(void);
/* Forces a micro-kernel by name (tests, the bench); 0 when unknown or this CPU lacks it (nothing changes). */
int infodyn_gemm_set_isa(const char *name);
/* transB: op(B) = Bᵀ with B n × k (ldb), else B is k × n (ldb). beta: 0 (C not read) or 1. */
int infodyn_dgemm(int transB, int m, int n, int k, const double *A, int lda, const double *B, int ldb, double beta, double *C, int ldc);

#endif
