// gemm.cl — C = alpha·op(A)·op(B) + beta·C on row-major float32 matrices, for CPU OpenCL drivers (GPUs use CLBlast).
// The CPU reference is OpenBLAS (Sources/CondenseCPU/Kernels/HostGemm.swift).
//
//   gemm_tiles   C = alpha·op(A)·B + beta·C, one TM × TN tile of C per work-item: TM rows × two float16 of running
//                sums stay in registers over the whole K loop, each step one broadcast element of A per row times two
//                vector loads of B's row k (a register-blocked outer product, as BLAS micro-kernels do). Tiles cut by
//                the edge of C run the same K loop on clamped rows and columns and store only their inside, so no
//                work-item loops more than about K times. Range [ceil(M / TM), ceil(N / TN)], local [1, 1]:
//                consecutive work-items walk down a column of tiles, so B's panel of TN columns stays in cache while
//                A streams.
//   gemm_dots    C = alpha·A·Bᵀ + beta·C (A not transposed): tiles of dot products of contiguous rows along K.
//   transpose    the transpose of a [rows, cols] matrix, one output row segment of 16 per work-item: with both
//                operands transposed the host copies B to [K, N] for gemm_tiles.
//
// Defines (-D): TRANS_A 1 when A is stored [K, M] (op(A) = Aᵀ), else 0. TM and TN are fixed below.

#define TM 8
#define TN 32

#if TRANS_A
#define A_AT(m, k) A[(size_t)(k) * lda + (m)]
#else
#define A_AT(m, k) A[(size_t)(m) * lda + (k)]
#endif

// The tile of C at (m0, n0), of which `rows` × `cols` lie inside C. Rows past the edge repeat the last row of op(A)
// and columns past it the last column of B, so an edge tile runs the same single K loop as a whole one and stores
// only its inside: no loop grows with the tile's area (drivers bound a work-item's loop iterations: Mesa's llvmpipe
// silently stops at 65,535). gemm_tiles calls it with constant `rows` and `cols` for whole tiles, so those compile
// to plain vector loads and stores.
inline void gemm_tile(__global const float* restrict A, const int lda, __global const float* restrict B,
                      const int ldb, __global float* restrict C, const int ldc, const int m0, const int n0,
                      const int rows, const int cols, const int K, const float alpha, const float beta) {
    float16 left[TM], right[TM];
    #pragma unroll
    for (int r = 0; r < TM; ++r) left[r] = right[r] = 0.0f;
    for (int k = 0; k < K; ++k) {
        __global const float* row = B + (size_t)k * ldb + n0;
        float16 b0, b1;
        if (cols == TN) {
            b0 = vload16(0, row);
            b1 = vload16(0, row + 16);
        } else {
            float part[TN];
            #pragma unroll
            for (int j = 0; j < TN; ++j) part[j] = row[min(j, cols - 1)];
            b0 = vload16(0, part);
            b1 = vload16(0, part + 16);
        }
        #pragma unroll
        for (int r = 0; r < TM; ++r) {
            const float16 a = A_AT(m0 + min(r, rows - 1), k);
            left[r] = fma(a, b0, left[r]);
            right[r] = fma(a, b1, right[r]);
        }
    }
    #pragma unroll
    for (int r = 0; r < TM; ++r) {
        if (r >= rows) break;
        __global float* target = C + (size_t)(m0 + r) * ldc + n0;
        if (cols == TN) {
            // beta = 0 must not read C (it may hold NaN), as BLAS specifies.
            const float16 old0 = beta == 0.0f ? 0.0f : beta * vload16(0, target);
            const float16 old1 = beta == 0.0f ? 0.0f : beta * vload16(0, target + 16);
            vstore16(alpha * left[r] + old0, 0, target);
            vstore16(alpha * right[r] + old1, 0, target + 16);
        } else {
            float sums[TN];
            vstore16(left[r], 0, sums);
            vstore16(right[r], 0, sums + 16);
            for (int j = 0; j < cols; ++j) target[j] = alpha * sums[j] + (beta == 0.0f ? 0.0f : beta * target[j]);
        }
    }
}

__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void gemm_tiles(__global const float* restrict A, const int offsetA, const int lda, __global const float* restrict B,
                const int offsetB, const int ldb, __global float* restrict C, const int offsetC, const int ldc,
                const int M, const int N, const int K, const float alpha, const float beta) {
    const int m0 = get_global_id(0) * TM, n0 = get_global_id(1) * TN;
    A += offsetA;
    B += offsetB;
    C += offsetC;
    if (m0 + TM <= M && n0 + TN <= N) {
        gemm_tile(A, lda, B, ldb, C, ldc, m0, n0, TM, TN, K, alpha, beta);
    } else {
        gemm_tile(A, lda, B, ldb, C, ldc, m0, n0, min(TM, M - m0), min(TN, N - n0), K, alpha, beta);
    }
}

// C = alpha·op(A)·Bᵀ + beta·C with B stored [N, K] (and A [M, K], TRANS_A 0): every element is a dot product of two
// contiguous rows, so one DM × DN tile of them per work-item runs along K sixteen lanes at a time (DM + DN vector
// loads per DM·DN fused multiply-adds), with one horizontal sum per element at the end. Rows and columns past the
// edge of C read the last row instead and are not stored. Range [ceil(M / DM), ceil(N / DN)], local [1, 1].
#define DM 4
#define DN 4
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void gemm_dots(__global const float* restrict A, const int offsetA, const int lda, __global const float* restrict B,
               const int offsetB, const int ldb, __global float* restrict C, const int offsetC, const int ldc,
               const int M, const int N, const int K, const float alpha, const float beta) {
    const int m0 = get_global_id(0) * DM, n0 = get_global_id(1) * DN;
    __global const float* rowsA[DM];
    __global const float* rowsB[DN];
    #pragma unroll
    for (int i = 0; i < DM; ++i) rowsA[i] = A + offsetA + (size_t)min(m0 + i, M - 1) * lda;
    #pragma unroll
    for (int j = 0; j < DN; ++j) rowsB[j] = B + offsetB + (size_t)min(n0 + j, N - 1) * ldb;
    float16 sums[DM][DN];
    #pragma unroll
    for (int i = 0; i < DM; ++i) {
        #pragma unroll
        for (int j = 0; j < DN; ++j) sums[i][j] = 0.0f;
    }
    int k = 0;
    for (; k + 16 <= K; k += 16) {
        float16 a[DM], b[DN];
        #pragma unroll
        for (int i = 0; i < DM; ++i) a[i] = vload16(0, rowsA[i] + k);
        #pragma unroll
        for (int j = 0; j < DN; ++j) b[j] = vload16(0, rowsB[j] + k);
        #pragma unroll
        for (int i = 0; i < DM; ++i) {
            #pragma unroll
            for (int j = 0; j < DN; ++j) sums[i][j] = fma(a[i], b[j], sums[i][j]);
        }
    }
    #pragma unroll
    for (int i = 0; i < DM; ++i) {
        #pragma unroll
        for (int j = 0; j < DN; ++j) {
            float sum = FOLD16(ADD, sums[i][j]);
            for (int t = k; t < K; ++t) sum = fma(rowsA[i][t], rowsB[j][t], sum);
            if (m0 + i < M && n0 + j < N) {
                __global float* target = C + offsetC + (size_t)(m0 + i) * ldc + n0 + j;
                *target = alpha * sum + (beta == 0.0f ? 0.0f : beta * *target);
            }
        }
    }
}

// output[c, r] = input[r, c] for input [rows, cols] (leading dimension ld) into output [cols, rows] (contiguous).
// Range [ceil(rows / 16), cols]: work-item (segment, c) copies 16 elements of input column c to a row segment.
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void transpose(__global const float* restrict input, const int offset, const int ld, __global float* restrict output,
               const int rows, const int cols) {
    const int r0 = get_global_id(0) * 16, c = get_global_id(1);
    __global const float* column = input + offset + c;
    __global float* target = output + (size_t)c * rows + r0;
    for (int r = r0; r < min(rows, r0 + 16); ++r) target[r - r0] = column[(size_t)r * ld];
}
