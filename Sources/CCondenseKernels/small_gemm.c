// The product of small_gemm.h, written once over a 16-float vector type and instantiated per instruction set
// (AVX-512, AVX2 + FMA, baseline) with as many accumulators as that set has registers for; the widest variant the
// processor runs is chosen once, at the first call.
#include "small_gemm.h"

#include <stdlib.h>

#include "instruction_set.h"

// One block of `rows` rows of C by 16 columns: rows of A broadcast against each row of B, each element summed over
// p in order.
ALWAYS_INLINE void columnBlock(int rows, long k, const float *a, long rowStride,
                                                              long columnStride, const float *b, long ldb, float *c,
                                                              long ldc) {
#pragma clang fp contract(fast)
    Floats16 sums[8];
    for (int i = 0; i < rows; i++) sums[i] = (Floats16){0};
    for (long p = 0; p < k; p++) {
        Floats16 row = *(const Floats16 *)(b + p * ldb);
        for (int i = 0; i < rows; i++) sums[i] += a[i * rowStride + p * columnStride] * row;
    }
    for (int i = 0; i < rows; i++) *(Floats16 *)(c + i * ldc) = sums[i];
}

// Every row of one 16-column block of C: blocks of `blockRows` rows, then single rows.
ALWAYS_INLINE void rowBlocks(int blockRows, long m, long k, const float *a, long rowStride, long columnStride,
                             const float *b, long ldb, float *c, long ldc) {
    long i = 0;
    for (; i + blockRows <= m; i += blockRows)
        columnBlock(blockRows, k, a + i * rowStride, rowStride, columnStride, b, ldb, c + i * ldc, ldc);
    for (; i < m; i++) columnBlock(1, k, a + i * rowStride, rowStride, columnStride, b, ldb, c + i * ldc, ldc);
}

// The whole product, `blockRows` rows at a time. A last partial block of columns is computed as the block ending at
// column n, which recomputes some columns of the one before it with the same bits; a product narrower than a block
// runs on a zero-padded copy of B into a block-wide copy of C, so its elements are the same chains as well.
ALWAYS_INLINE void columnSgemm(int blockRows, long m, long n, long k, const float *a, long rowStride,
                               long columnStride, const float *b, long ldb, float *c, long ldc) {
    if (n < 16) {
        float *wideB = calloc((size_t)(k * 16), sizeof(float)), *wideC = malloc((size_t)(m * 16) * sizeof(float));
        for (long p = 0; p < k; p++)
            for (long j = 0; j < n; j++) wideB[p * 16 + j] = b[p * ldb + j];
        rowBlocks(blockRows, m, k, a, rowStride, columnStride, wideB, 16, wideC, 16);
        for (long i = 0; i < m; i++)
            for (long j = 0; j < n; j++) c[i * ldc + j] = wideC[i * 16 + j];
        free(wideB);
        free(wideC);
        return;
    }
    for (long first = 0; first < n; first += 16) {
        long j = first + 16 <= n ? first : n - 16;
        rowBlocks(blockRows, m, k, a, rowStride, columnStride, b + j, ldb, c + j, ldc);
    }
}

// One variant: blocks of `ROWS` rows, as many accumulators as the instruction set has registers for.
#define COLUMN_SGEMM(NAME, ROWS, ATTRIBUTES)                                                                        \
    ATTRIBUTES static void NAME(long m, long n, long k, const float *a, long rowStride, long columnStride,        \
                                const float *b, long ldb, float *c, long ldc) {                                  \
        columnSgemm(ROWS, m, n, k, a, rowStride, columnStride, b, ldb, c, ldc);                                   \
    }

// MARK: - Variants and the choice between them

COLUMN_SGEMM(columnSgemmBaseline, 2, )

#if defined(__x86_64__)
COLUMN_SGEMM(columnSgemmAVX2, 4, AVX2)
COLUMN_SGEMM(columnSgemmAVX512, 8, AVX512)
#endif

void condense_column_sgemm(long m, long n, long k, const float *a, long aRowStride, long aColumnStride,
                           const float *b, long ldb, float *c, long ldc) {
#if defined(__x86_64__)
    switch (condense_instruction_set()) {
    case instructionSetAVX512: columnSgemmAVX512(m, n, k, a, aRowStride, aColumnStride, b, ldb, c, ldc); return;
    case instructionSetAVX2: columnSgemmAVX2(m, n, k, a, aRowStride, aColumnStride, b, ldb, c, ldc); return;
    default: break;
    }
#endif
    columnSgemmBaseline(m, n, k, a, aRowStride, aColumnStride, b, ldb, c, ldc);
}
