import COpenCL
import CondenseCore

extension OpenCLBackend {
    /// GEMM through CLBlast on this backend's queue and buffers (one call for a whole strided batch).
    public func gemm(_ a: Tensor, _ b: Tensor, _ c: Tensor, _ d: GemmDescriptor) throws {
        try d.validate(a: a, b: b, c: c)
        guard d.m > 0, d.n > 0 else { return }
        let bufferA = try buffer(a, "gemm"), bufferB = try buffer(b, "gemm"), bufferC = try buffer(c, "gemm")
        let transA = d.transposeA ? CLBlastTransposeYes : CLBlastTransposeNo
        let transB = d.transposeB ? CLBlastTransposeYes : CLBlastTransposeNo
        var event: cl_event?
        let status: CLBlastStatusCode
        if d.batchCount == 1 {
            status = CLBlastSgemm(CLBlastLayoutRowMajor, transA, transB, d.m, d.n, d.k, d.alpha,
                                  bufferA, d.offsetA, d.lda, bufferB, d.offsetB, d.ldb, d.beta,
                                  bufferC, d.offsetC, d.ldc, &queue, &event)
        } else {
            status = CLBlastSgemmStridedBatched(CLBlastLayoutRowMajor, transA, transB, d.m, d.n, d.k, d.alpha,
                                                bufferA, d.offsetA, d.lda, d.strideA, bufferB, d.offsetB, d.ldb,
                                                d.strideB, d.beta, bufferC, d.offsetC, d.ldc, d.strideC, d.batchCount,
                                                &queue, &event)
        }
        try check(status.rawValue, d.batchCount == 1 ? "CLBlastSgemm" : "CLBlastSgemmStridedBatched")
        settle(event, name: "gemm (CLBlast)")
    }
}
