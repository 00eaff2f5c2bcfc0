// The two products of small_gemm.h, each written once over a 16-float vector type and instantiated per instruction
// set (AVX-512, AVX2 + FMA, baseline) with as many accumulators as that set has registers for; the widest variant
// the processor runs is chosen once, at the first call.
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

// MARK: - C = A·Bᵀ, dot products of rows

// The sum of a vector's lanes, halves added to halves.
ALWAYS_INLINE float sumOfLanes(Floats16 v) {
    Floats8 h = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) +
                __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    Floats4 q = __builtin_shufflevector(h, h, 0, 1, 2, 3) + __builtin_shufflevector(h, h, 4, 5, 6, 7);
    return (q[0] + q[2]) + (q[1] + q[3]);
}
// The `count` (< 16) floats at p, then zeros: a row's last partial vector, without reading past the row.
ALWAYS_INLINE Floats16 head(const float *p, long count) {
    Floats16 v = {0};
    for (long q = 0; q < count; q++) v[q] = p[q];
    return v;
}
// Rows `rows` of A against rows `columns` of B: 16 partial sums per element over p, then added up.
ALWAYS_INLINE void dotBlock(int rows, int columns, long k, const float *a, long lda, const float *b, long ldb,
                            int accumulate, float *c, long ldc) {
#pragma clang fp contract(fast)
    Floats16 sums[4][4], x[4], y[4];
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < columns; j++) sums[i][j] = (Floats16){0};
    long p = 0;
    for (; p + 16 <= k; p += 16) {
        for (int i = 0; i < rows; i++) x[i] = *(const Floats16 *)(a + i * lda + p);
        for (int j = 0; j < columns; j++) y[j] = *(const Floats16 *)(b + j * ldb + p);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++) sums[i][j] += x[i] * y[j];
    }
    if (p < k) {
        for (int i = 0; i < rows; i++) x[i] = head(a + i * lda + p, k - p);
        for (int j = 0; j < columns; j++) y[j] = head(b + j * ldb + p, k - p);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++) sums[i][j] += x[i] * y[j];
    }
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < columns; j++) {
            float s = sumOfLanes(sums[i][j]);
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + s : s;
        }
}
// Rows `rows` of A against every row of B, `side` rows of B at a time (then single ones).
ALWAYS_INLINE void blockRow(int rows, int side, long n, long k, const float *a, long lda, const float *b, long ldb,
                            int accumulate, float *c, long ldc) {
    long j = 0;
    for (; j + side <= n; j += side) dotBlock(rows, side, k, a, lda, b + j * ldb, ldb, accumulate, c + j, ldc);
    for (; j < n; j++) dotBlock(rows, 1, k, a, lda, b + j * ldb, ldb, accumulate, c + j, ldc);
}
// The whole product in `side` × `side` blocks (then single rows and columns).
ALWAYS_INLINE void rowSgemm(int side, long m, long n, long k, const float *a, long lda, const float *b, long ldb,
                            int accumulate, float *c, long ldc) {
    long i = 0;
    for (; i + side <= m; i += side) blockRow(side, side, n, k, a + i * lda, lda, b, ldb, accumulate, c + i * ldc, ldc);
    for (; i < m; i++) blockRow(1, side, n, k, a + i * lda, lda, b, ldb, accumulate, c + i * ldc, ldc);
}
// One variant: blocks of `ROWS` rows, as many accumulators as the instruction set has registers for.
#define COLUMN_SGEMM(NAME, ROWS, ATTRIBUTES)                                                                        \
    ATTRIBUTES static void NAME(long m, long n, long k, const float *a, long rowStride, long columnStride,        \
                                const float *b, long ldb, float *c, long ldc) {                                  \
        columnSgemm(ROWS, m, n, k, a, rowStride, columnStride, b, ldb, c, ldc);                                   \
    }

// MARK: - Variants and the choice between them

// One variant: `SIDE` × `SIDE` blocks of dot products.
#define ROW_SGEMM(NAME, SIDE, ATTRIBUTES)                                                                           \
    ATTRIBUTES static void NAME(long m, long n, long k, const float *a, long lda, const float *b, long ldb,       \
                                int accumulate, float *c, long ldc) {                                             \
        rowSgemm(SIDE, m, n, k, a, lda, b, ldb, accumulate, c, ldc);                                              \
    }

COLUMN_SGEMM(columnSgemmBaseline, 2, )
ROW_SGEMM(rowSgemmBaseline, 2, )

#if defined(__x86_64__)
COLUMN_SGEMM(columnSgemmAVX2, 4, AVX2)
COLUMN_SGEMM(columnSgemmAVX512, 8, AVX512)
ROW_SGEMM(rowSgemmAVX2, 2, AVX2)
ROW_SGEMM(rowSgemmAVX512, 4, AVX512)
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

void condense_row_sgemm(long m, long n, long k, const float *a, long lda, const float *b, long ldb, int accumulate,
                        float *c, long ldc) {
#if defined(__x86_64__)
    switch (condense_instruction_set()) {
    case instructionSetAVX512: rowSgemmAVX512(m, n, k, a, lda, b, ldb, accumulate, c, ldc); return;
    case instructionSetAVX2: rowSgemmAVX2(m, n, k, a, lda, b, ldb, accumulate, c, ldc); return;
    default: break;
    }
#endif
    rowSgemmBaseline(m, n, k, a, lda, b, ldb, accumulate, c, ldc);
}
