// Small single-precision GEMMs for the CPU backend's convolutions, compiled once per instruction set (AVX-512,
// AVX2 + FMA, baseline) and picked at run time, so one binary runs on any x86-64 (and any other) processor.
#ifndef CONDENSE_SMALL_GEMM_H
#define CONDENSE_SMALL_GEMM_H

/// `C = A·B` for row-major `B [k][n]` (rows `ldb` apart) and `C [m][n]` (rows `ldc` apart), with
/// `A[i][p] = a[i·aRowStride + p·aColumnStride]` (so `Aᵀ` of a row-major matrix is a pair of swapped strides).
/// Every element is its own chain of multiply-adds over `p` in order, so a column of `C` has the same bits
/// whatever `n` is and wherever the column lies: per-sample convolutions batched or not agree exactly.
void condense_column_sgemm(long m, long n, long k, const float *a, long aRowStride, long aColumnStride,
                           const float *b, long ldb, float *c, long ldc);

#endif
