// The product of small_gemm.h, written once over a 16-float vector type and instantiated per instruction set
// (AVX-512, AVX2 + FMA, baseline) with as many accumulators as that set has registers for; the widest variant the
// processor runs is chosen once, at the first call.
#include "small_gemm.h"

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

// One column of C, for products narrower than a block: the same chain per element as a block's lanes.
ALWAYS_INLINE void column(long m, long k, const float *a, long rowStride,
                                                         long columnStride, const float *b, long ldb, float *c,
                                                         long ldc) {
#pragma clang fp contract(fast)
    for (long i = 0; i < m; i++) {
        float sum = 0;
        for (long p = 0; p < k; p++) sum += a[i * rowStride + p * columnStride] * b[p * ldb];
        c[i * ldc] = sum;
    }
}

// The whole product in blocks of `ROWS` rows (then single rows). A last partial block of columns is computed as the
// block ending at column n, which recomputes some columns of the one before it with the same bits.
#define COLUMN_SGEMM(NAME, ROWS, ATTRIBUTES)                                                                        \
    ATTRIBUTES static void NAME(long m, long n, long k, const float *a, long rowStride, long columnStride,        \
                                const float *b, long ldb, float *c, long ldc) {                                  \
        if (n < 16) {                                                                                             \
            for (long j = 0; j < n; j++) column(m, k, a, rowStride, columnStride, b + j, ldb, c + j, ldc);        \
            return;                                                                                               \
        }                                                                                                         \
        for (long first = 0; first < n; first += 16) {                                                           \
            long j = first + 16 <= n ? first : n - 16, i = 0;                                                     \
            for (; i + ROWS <= m; i += ROWS)                                                                      \
                columnBlock(ROWS, k, a + i * rowStride, rowStride, columnStride, b + j, ldb, c + i * ldc + j,     \
                            ldc);                                                                                 \
            for (; i < m; i++)                                                                                    \
                columnBlock(1, k, a + i * rowStride, rowStride, columnStride, b + j, ldb, c + i * ldc + j, ldc);  \
        }                                                                                                         \
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
