import CondenseCore
@testable import CondenseOpenCL
import CondenseTestSupport
import XCTest

/// GEMM on the OpenCL backend against OpenBLAS on the CPU backend, on shapes that fit no tile size, with both chunk
/// tilings: the CPU tiling runs `Kernels/gemm.cl` (whole 8 × 32 tiles and edge tiles, a transposed B copied first),
/// the GPU tiling CLBlast.
final class GemmParityTests: XCTestCase {
    private let shapes = [(1, 1, 1), (7, 13, 5), (129, 65, 33), (33, 1, 17), (1, 97, 3), (64, 31, 127), (16, 64, 300)]

    func testAllTransposesMatchTheCPUBackend() throws {
        try assertAllTransposesMatchTheCPUBackend(shapes: shapes, seed: 7)
    }

    /// Tiles cut by the edge of C (M and N not multiples of 8 × 32) with a long K: each edge work-item must run
    /// one K loop, not one per element; Mesa's llvmpipe silently ends a work-item's loops after 65,535 iterations
    /// in all, which a per-element loop over an 8 × 32 tile passes once K exceeds 256 (the 5-channel 3×3
    /// convolution over 64 channels, K = 576, and MobileNetV2's last 1×1 convolution, K = 1280, met it).
    func testEdgeTilesWithALongKMatchTheCPUBackend() throws {
        try assertAllTransposesMatchTheCPUBackend(shapes: [(5, 40, 1280), (13, 70, 600)], seed: 13)
    }

    /// CLBlast (the GPU formulation, which rusticl gets) over an inner dimension of 1.1 million, a convolution's
    /// weight gradient over a grey batch of 22 at 224 × 224: one call loops past llvmpipe's 65,535 iterations per
    /// work-item near K = 1,050,000 and silently returned about half the sum there, so `gemm` splits K. Both
    /// operand layouts, one of them batched, with beta = 0 over a C of NaN. (The CPU formulation, `gemm.cl`, runs on PoCL only,
    /// where a work-item is a loop of the CPU and has no such limit.)
    func testAnInnerDimensionPastLlvmpipesLoopLimitMatchesTheCPUBackend() throws {
        let gpu = try TestDevices.openCL(), own = gpu.tiling
        defer { gpu.tiling = own }
        gpu.tiling = .forDevice(isGPU: true)
        var random = SeededGenerator(seed: 17)
        let (m, n, k) = (3, 5, 1_100_000)
        // A prime-length random pattern repeated (generating 17 million values would dominate the test's time).
        let pattern = random.floats(10_007)
        let a = (0..<2 * m * k).map { pattern[$0 % 10_007] }, b = (0..<2 * k * n).map { pattern[$0 % 9_973] }
        for (transposeA, transposeB, batchCount) in [(false, true, 1), (true, false, 2)] {
            do {
                let descriptor = GemmDescriptor(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB,
                                                alpha: 0.5, batchCount: batchCount)
                let c = [Float](repeating: .nan, count: batchCount * m * n)
                let expected = try run(descriptor, a, b, c, on: TestDevices.cpu)
                let actual = try run(descriptor, a, b, c, on: gpu)
                XCTAssertLessThan(maxNormalizedError(actual, expected), 1e-4,
                                  "transA=\(transposeA) transB=\(transposeB) batch=\(batchCount): \(actual.prefix(3)) " +
                                  "against \(expected.prefix(3))")
            }
        }
    }

    func testDepthSlicesCoverKOnceWithTheirOffsets() {
        var descriptor = GemmDescriptor(m: 2, n: 3, k: 10, transposeA: true, beta: 0.5)
        descriptor.offsetA = 1
        let slices = descriptor.depthSlices(of: 4)
        XCTAssertEqual(slices.map(\.k), [4, 4, 2])
        XCTAssertEqual(slices.map(\.offsetA), [1, 1 + 4 * 2, 1 + 8 * 2], "A is [K, M]: a slice starts K rows on")
        XCTAssertEqual(slices.map(\.offsetB), [0, 4 * 3, 8 * 3], "B is [K, N]")
        XCTAssertEqual(slices.map(\.beta), [0.5, 1, 1])
        XCTAssertEqual(slices.map(\.lda), [2, 2, 2])
        XCTAssertEqual(GemmDescriptor(m: 2, n: 3, k: 4).depthSlices(of: 4), [GemmDescriptor(m: 2, n: 3, k: 4)])
        let transposedB = GemmDescriptor(m: 2, n: 3, k: 10, transposeB: true).depthSlices(of: 4)
        XCTAssertEqual(transposedB.map(\.offsetA), [0, 4, 8], "A is [M, K]")
        XCTAssertEqual(transposedB.map(\.offsetB), [0, 4, 8], "B is [N, K]")
    }

    private func assertAllTransposesMatchTheCPUBackend(shapes: [(Int, Int, Int)], seed: UInt64,
                                                       file: StaticString = #filePath, line: UInt = #line) throws {
        let gpu = try TestDevices.openCL(), own = gpu.tiling
        defer { gpu.tiling = own }
        var random = SeededGenerator(seed: seed)
        for (m, n, k) in shapes {
            for transposeA in [false, true] {
                for transposeB in [false, true] {
                    // beta = 0 must not read C, which starts as NaN there (BLAS semantics).
                    for beta: Float in [0.5, 0] {
                        let descriptor = GemmDescriptor(m: m, n: n, k: k, transposeA: transposeA,
                                                        transposeB: transposeB, alpha: 0.75, beta: beta)
                        let a = random.floats(m * k), b = random.floats(k * n)
                        let c = beta == 0 ? [Float](repeating: .nan, count: m * n) : random.floats(m * n)
                        let expected = try run(descriptor, a, b, c, on: TestDevices.cpu)
                        for isGPU in [false, true] {
                            gpu.tiling = .forDevice(isGPU: isGPU)
                            let actual = try run(descriptor, a, b, c, on: gpu)
                            let label = "m=\(m) n=\(n) k=\(k) transA=\(transposeA) transB=\(transposeB) " +
                                "beta=\(beta) \(isGPU ? "CLBlast" : "gemm.cl")"
                            XCTAssertLessThan(maxNormalizedError(actual, expected), 1e-5, label, file: file, line: line)
                            XCTAssertFalse(actual.contains(where: \.isNaN) || expected.contains(where: \.isNaN), label,
                                           file: file, line: line)
                        }
                    }
                }
            }
        }
    }

    func testStridedBatchWithOffsetsMatchesTheCPUBackend() throws {
        let gpu = try TestDevices.openCL()
        var random = SeededGenerator(seed: 11)
        var descriptor = GemmDescriptor(m: 9, n: 7, k: 5, transposeB: true, batchCount: 3)
        descriptor.offsetA = 4
        descriptor.offsetC = 2
        descriptor.strideA = 9 * 5 + 3  // padding between batches must be skipped
        let a = random.floats(4 + 3 * descriptor.strideA), b = random.floats(3 * 7 * 5), c = random.floats(2 + 3 * 63)
        let expected = try run(descriptor, a, b, c, on: TestDevices.cpu)
        let actual = try run(descriptor, a, b, c, on: gpu)
        XCTAssertLessThan(maxNormalizedError(actual, expected), 1e-5)
        XCTAssertEqual(Array(actual.prefix(2)), Array(c.prefix(2)), "elements before offsetC must stay untouched")
    }

    func testTheCPUBackendAgreesWithANaiveProduct() throws {
        var random = SeededGenerator(seed: 3)
        let (m, n, k) = (5, 4, 3)
        let a = random.floats(m * k), b = random.floats(k * n)
        let product = try run(GemmDescriptor(m: m, n: n, k: k), a, b, [Float](repeating: 0, count: m * n),
                              on: TestDevices.cpu)
        for i in 0..<m {
            for j in 0..<n {
                let naive = (0..<k).reduce(Float(0)) { $0 + a[i * k + $1] * b[$1 * n + j] }
                XCTAssertEqual(product[i * n + j], naive, accuracy: 1e-5)
            }
        }
    }

    func testAMatrixLargerThanItsTensorIsRejected() throws {
        let backend = TestDevices.cpu
        let a = try backend.full([6], value: 1), b = try backend.full([6], value: 1), c = try backend.full([4], value: 0)
        XCTAssertThrowsError(try backend.gemm(a, b, c, GemmDescriptor(m: 2, n: 2, k: 4))) { error in
            XCTAssertTrue("\(error)".contains("gemm A"), "\(error)")
        }
    }

    private func run(_ descriptor: GemmDescriptor, _ a: [Float], _ b: [Float], _ c: [Float],
                     on backend: Backend) throws -> [Float] {
        let ta = try backend.tensor(a, shape: [a.count]), tb = try backend.tensor(b, shape: [b.count])
        let tc = try backend.tensor(c, shape: [c.count])
        try backend.gemm(ta, tb, tc, descriptor)
        return try tc.toHost()
    }
}
