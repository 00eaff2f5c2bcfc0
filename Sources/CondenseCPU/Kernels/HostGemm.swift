import CBLAS
import CCondenseKernels
import CondenseCore

/// One single-threaded OpenBLAS SGEMM on row-major matrices: `C = alpha·op(A)·op(B) + beta·C`.
@inline(__always)
func hostSgemm(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
               _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
               _ c: UnsafeMutablePointer<Float>, ldc: Int) {
    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
}

/// `C = op(A)·B` on row-major matrices by our own kernel (`condense_column_sgemm`), single-threaded: each column of
/// `C` has the same bits whatever `n` is and wherever the column lies, unlike OpenBLAS's, and the small products of
/// convolutions run faster than through OpenBLAS, which packs both operands on every call.
@inline(__always)
func columnSgemm(transposeA: Bool = false, m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, lda: Int,
                 _ b: UnsafePointer<Float>, ldb: Int, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
    condense_column_sgemm(m, n, k, a, transposeA ? 1 : lda, transposeA ? lda : 1, b, ldb, c, ldc)
}

extension GemmDescriptor {
    /// Runs this GEMM on host pointers, spread over the cores: batches split between workers, or a single large
    /// product split by rows (or by columns when it has few rows). Each element is computed exactly as one
    /// single-threaded call would.
    func run(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>) {
        if batchCount > 1 {
            HostParallel.forEachRange(batchCount) { _, batches in
                for batch in batches {
                    hostSgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                              a + offsetA + batch * strideA, lda: lda, b + offsetB + batch * strideB, ldb: ldb,
                              beta: beta, c + offsetC + batch * strideC, ldc: ldc)
                }
            }
            return
        }
        let (a, b, c) = (a + offsetA, b + offsetB, c + offsetC)
        let parts = 2 * m * n * k >= 1 << 21 ? HostParallel.workers : 1
        if m >= n {
            HostParallel.forEachRange(m, parts: parts) { _, rows in
                hostSgemm(transposeA: transposeA, transposeB: transposeB, m: rows.count, n: n, k: k, alpha: alpha,
                          a + rows.lowerBound * (transposeA ? 1 : lda), lda: lda, b, ldb: ldb, beta: beta,
                          c + rows.lowerBound * ldc, ldc: ldc)
            }
        } else {
            HostParallel.forEachRange(n, parts: parts) { _, columns in
                hostSgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: columns.count, k: k, alpha: alpha,
                          a, lda: lda, b + columns.lowerBound * (transposeB ? ldb : 1), ldb: ldb, beta: beta,
                          c + columns.lowerBound, ldc: ldc)
            }
        }
    }
}
