/// One (optionally batched, strided) row-major GEMM: `C[m×n] = alpha·op(A)[m×k]·op(B)[k×n] + beta·C`.
/// Offsets and strides are in elements; the leading dimensions are those of the matrices as stored.
public struct GemmDescriptor: Sendable, Equatable {
    public var transposeA: Bool
    public var transposeB: Bool
    public var m: Int, n: Int, k: Int
    public var alpha: Float
    public var beta: Float
    public var batchCount: Int
    public var offsetA = 0, offsetB = 0, offsetC = 0
    public var strideA = 0, strideB = 0, strideC = 0
    public var lda: Int, ldb: Int, ldc: Int

    public init(m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false, alpha: Float = 1,
                beta: Float = 0, batchCount: Int = 1) {
        self.m = m
        self.n = n
        self.k = k
        self.transposeA = transposeA
        self.transposeB = transposeB
        self.alpha = alpha
        self.beta = beta
        self.batchCount = batchCount
        lda = transposeA ? m : k
        ldb = transposeB ? k : n
        ldc = n
        strideA = m * k
        strideB = k * n
        strideC = m * n
    }

    /// Throws unless the sizes are positive and every batch's matrices lie inside the given tensors.
    public func validate(a: Tensor, b: Tensor, c: Tensor) throws {
        for (label, tensor) in [("A", a), ("B", b), ("C", c)] where tensor.dtype != .float32 {
            throw CondenseError.dtypeMismatch(op: "gemm \(label)", expected: .float32, got: tensor.dtype)
        }
        guard a.backend === c.backend, b.backend === c.backend else { throw CondenseError.backendMismatch(op: "gemm") }
        guard m >= 0, n >= 0, k >= 0, batchCount >= 1 else {
            throw CondenseError.invalidArgument(op: "gemm", "m=\(m) n=\(n) k=\(k) batch=\(batchCount) must be ≥ 0 (batch ≥ 1)")
        }
        let rowsA = transposeA ? k : m, colsA = transposeA ? m : k
        let rowsB = transposeB ? n : k, colsB = transposeB ? k : n
        try Self.check("A", tensor: a, rows: rowsA, cols: colsA, ld: lda, offset: offsetA, stride: strideA, batches: batchCount)
        try Self.check("B", tensor: b, rows: rowsB, cols: colsB, ld: ldb, offset: offsetB, stride: strideB, batches: batchCount)
        try Self.check("C", tensor: c, rows: m, cols: n, ld: ldc, offset: offsetC, stride: strideC, batches: batchCount)
    }

    private static func check(_ label: String, tensor: Tensor, rows: Int, cols: Int, ld: Int, offset: Int, stride: Int,
                              batches: Int) throws {
        guard ld >= max(cols, 1) else {
            throw CondenseError.invalidArgument(op: "gemm", "leading dimension of \(label) is \(ld), needs ≥ \(cols)")
        }
        guard rows > 0, cols > 0 else { return }
        let lastElement = offset + (batches - 1) * stride + (rows - 1) * ld + cols
        guard offset >= 0, lastElement <= tensor.count else {
            throw CondenseError.shapeMismatch(op: "gemm \(label)", expected: "at least \(lastElement) elements",
                                              got: "\(tensor.shape) (\(tensor.count) elements)")
        }
    }
}
