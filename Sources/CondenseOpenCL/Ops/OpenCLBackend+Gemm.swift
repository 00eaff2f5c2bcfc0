import COpenCL
import CondenseCore

extension OpenCLBackend {
    /// The longest inner dimension one CLBlast call runs over. CLBlast's work-items loop over K (in steps of 16 or
    /// so), and Mesa's llvmpipe silently ends a work-item's loops after 65,535 iterations in all: a convolution's
    /// weight gradient, whose K runs over every sample's positions (over a million for a grey 224 × 224 batch of
    /// 21), came out wrong there. Longer products run as calls over slices of K (`depthSlices`), each adding into C.
    static let maxGemmDepth = 1 << 18

    /// GEMM through CLBlast on this backend's queue and buffers (one call for a whole strided batch, or one per
    /// slice of K longer than `maxGemmDepth`), or through `Kernels/gemm.cl` on a CPU driver.
    public func gemm(_ a: Tensor, _ b: Tensor, _ c: Tensor, _ d: GemmDescriptor) throws {
        try d.validate(a: a, b: b, c: c)
        guard d.m > 0, d.n > 0 else { return }
        if tiling.isForCPUDriver && d.batchCount == 1 { return try tiledGemm(a, b, c, d) }
        for slice in d.depthSlices(of: Self.maxGemmDepth) { try clblastGemm(a, b, c, slice) }
    }

    /// One CLBlast call.
    private func clblastGemm(_ a: Tensor, _ b: Tensor, _ c: Tensor, _ d: GemmDescriptor) throws {
        let bufferA = try buffer(a, "gemm"), bufferB = try buffer(b, "gemm"), bufferC = try buffer(c, "gemm")
        let transA = d.transposeA ? CLBlastTransposeYes : CLBlastTransposeNo
        let transB = d.transposeB ? CLBlastTransposeYes : CLBlastTransposeNo
        var event: cl_event?
        let status: CLBlastStatusCode
        if d.batchCount == 1 {
            let scratch = try temporaryBuffer(d, transA, transB)
            status = CLBlastSgemmWithTempBuffer(CLBlastLayoutRowMajor, transA, transB, d.m, d.n, d.k, d.alpha,
                                                bufferA, d.offsetA, d.lda, bufferB, d.offsetB, d.ldb, d.beta,
                                                bufferC, d.offsetC, d.ldc, &queue, &event,
                                                try scratch.map { try buffer($0, "gemm") })
        } else {
            status = CLBlastSgemmStridedBatched(CLBlastLayoutRowMajor, transA, transB, d.m, d.n, d.k, d.alpha,
                                                bufferA, d.offsetA, d.lda, d.strideA, bufferB, d.offsetB, d.ldb,
                                                d.strideB, d.beta, bufferC, d.offsetC, d.ldc, d.strideC, d.batchCount,
                                                &queue, &event)
        }
        try check(status.rawValue, d.batchCount == 1 ? "CLBlastSgemmWithTempBuffer" : "CLBlastSgemmStridedBatched")
        settle(event, name: "gemm (CLBlast)")
    }

    /// GEMM through `Kernels/gemm.cl` on a CPU driver (`tiling.isForCPUDriver`), where CLBlast's
    /// default kernels run far below the processor's peak (figures in Benchmarks/RESULTS.md): with B transposed (and
    /// A not) tiles of dot products along K; otherwise
    /// register-blocked tiles of C, after copying a transposed B (both operands transposed) to [K, N].
    private func tiledGemm(_ a: Tensor, _ b: Tensor, _ c: Tensor, _ d: GemmDescriptor) throws {
        let common: [KernelArgument] = [.buffer(c), .int(d.offsetC), .int(d.ldc), .int(d.m), .int(d.n), .int(d.k),
                                        .float(d.alpha), .float(d.beta)]
        if d.transposeB && !d.transposeA {
            try launch("gemm_dots", file: "gemm",
                       arguments: [.buffer(a), .int(d.offsetA), .int(d.lda), .buffer(b), .int(d.offsetB), .int(d.ldb)]
                           + common,
                       global: [ceilDiv(d.m, 4), ceilDiv(d.n, 4)], local: [1, 1])
            return
        }
        var (b, offsetB, ldb) = (b, d.offsetB, d.ldb)
        if d.transposeB {
            let copy = try allocate([d.k, d.n], dtype: .float32)
            try launch("transpose", file: "gemm",
                       arguments: [.buffer(b), .int(d.offsetB), .int(d.ldb), .buffer(copy), .int(d.n), .int(d.k)],
                       global: [ceilDiv(d.n, 16), d.k], local: [1, 1])
            (b, offsetB, ldb) = (copy, 0, d.n)
        }
        try launch("gemm_tiles", file: "gemm", defines: ["TRANS_A": d.transposeA ? 1 : 0],
                   arguments: [.buffer(a), .int(d.offsetA), .int(d.lda), .buffer(b), .int(offsetB), .int(ldb)] + common,
                   global: [ceilDiv(d.m, 8), ceilDiv(d.n, 32)], local: [1, 1])
    }

    /// A pooled buffer for the padded and transposed copies CLBlast's indirect GEMM makes (nil when it needs none):
    /// left to CLBlast, every call would allocate and free its own, which on a CPU driver costs more than the GEMM.
    /// The in-order queue makes handing it back to the pool right after the call safe.
    private func temporaryBuffer(_ d: GemmDescriptor, _ transA: CLBlastTranspose,
                                 _ transB: CLBlastTranspose) throws -> Tensor? {
        var bytes = 0
        let status = CLBlastSGemmTempBufferSize(CLBlastLayoutRowMajor, transA, transB, d.m, d.n, d.k, d.offsetA,
                                                d.lda, d.offsetB, d.ldb, d.offsetC, d.ldc, &queue, &bytes)
        try check(status.rawValue, "CLBlastSGemmTempBufferSize")
        return bytes == 0 ? nil : try allocate([(bytes + 3) / 4], dtype: .float32)
    }
}

extension GemmDescriptor {
    /// The same product as calls over consecutive slices of K of at most `depth` (this one alone when K is no
    /// longer): the first with this `beta`, the others adding into C.
    func depthSlices(of depth: Int) -> [GemmDescriptor] {
        guard k > depth else { return [self] }
        return stride(from: 0, to: k, by: depth).map { start in
            var slice = self
            slice.k = min(depth, k - start)
            slice.offsetA += transposeA ? start * lda : start
            slice.offsetB += transposeB ? start : start * ldb
            if start > 0 { slice.beta = 1 }
            return slice
        }
    }
}
