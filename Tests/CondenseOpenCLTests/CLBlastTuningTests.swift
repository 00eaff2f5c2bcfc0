import CondenseCore
import CondenseOpenCL
import CondenseTestSupport
import Foundation
import XCTest

/// Tuned CLBlast parameters: the per-device folder, the tuner files (as `clblast_tuner_copy_fast` writes them on
/// PoCL), bad files, CLBlast accepting (and rejecting) the parameters on the OpenCL device, and its indirect GEMM
/// with our pooled scratch buffer, which only such parameters reach at test sizes.
final class CLBlastTuningTests: XCTestCase {
    private var folder = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "clblast-tuning-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
        try CLBlastTuning.reset()  // the other tests' GEMMs run with CLBlast's own parameters
        if let ownTiling { try TestDevices.openCL().tiling = ownTiling }
    }

    private var ownTiling: ChunkTiling?

    /// The OpenCL test device with the GPU tiling (whose GEMMs go through CLBlast; tearDown restores its own), after
    /// writing one tuner file and applying the folder to the device.
    private func clblastBackend(tuning name: String, family: String, parameters: String) throws -> OpenCLBackend {
        let gpu = try TestDevices.openCL()
        ownTiling = gpu.tiling
        gpu.tiling = .forDevice(isGPU: true)
        try write(name, family: family, parameters: parameters)
        try CLBlastTuning.load(folder: folder).apply(to: try XCTUnwrap(OpenCLDiscovery.devices().first).device)
        return gpu
    }

    private func write(_ name: String, family: String, precision: String = "32", parameters: String) throws {
        let json = #"{"kernel_family": "\#(family)", "precision": "\#(precision)", "best_kernel": "K", "#
            + #""best_parameters": "\#(parameters)", "device": "pthread-test", "results": []}"#
        try Data(json.utf8).write(to: URL(fileURLWithPath: folder + "/" + name))
    }

    func testTheFolderIsNamedAfterTheDevice() {
        XCTAssertEqual(CLBlastTuning.folder(forDevice: "pthread-skylake-avx512-AMD EPYC",
                                            environment: ["CONDENSE_CLBLAST_TUNING": "/tuned", "HOME": "/home/u"]),
                       "/tuned/pthread-skylake-avx512-AMD_EPYC")
        XCTAssertEqual(CLBlastTuning.folder(forDevice: "NVIDIA H100 80GB HBM3", environment: ["HOME": "/home/u"]),
                       "/home/u/.config/condense/clblast/NVIDIA_H100_80GB_HBM3")
    }

    func testTunerFilesBecomeKernelParameters() throws {
        try write("clblast_copy_32.json", family: "copy",
                  parameters: "COPY_DIMX=8 COPY_DIMY=16 COPY_VW=8 COPY_WPT=1 PRECISION=32")
        try write("clblast_xgemm_2_32.json", family: "xgemm_2", parameters: "GEMMK=1 KREG=4 PRECISION=32")
        try write("clblast_copy_64.json", family: "copy", precision: "64", parameters: "COPY_DIMX=16 PRECISION=64")
        try Data("notes".utf8).write(to: URL(fileURLWithPath: folder + "/README.txt"))
        let tuning = try CLBlastTuning.load(folder: folder)
        XCTAssertEqual(tuning.entries.map(\.kernel), ["Copy", "Xgemm"])
        XCTAssertEqual(tuning.entries[0].parameters.map(\.name), ["COPY_DIMX", "COPY_DIMY", "COPY_VW", "COPY_WPT"])
        XCTAssertEqual(tuning.entries[0].parameters.map(\.value), [8, 16, 8, 1])
        XCTAssertEqual(tuning.entries[1].parameters.map(\.value), [1, 4])
        XCTAssertTrue(try CLBlastTuning.load(folder: folder + "/missing").entries.isEmpty)
    }

    func testBadFilesNameTheFileAndTheField() throws {
        try write("a.json", family: "copy", parameters: "COPY_DIMX=eight")
        XCTAssertThrowsError(try CLBlastTuning.load(folder: folder)) { error in
            XCTAssertTrue("\(error)".contains("a.json") && "\(error)".contains("best_parameters"), "\(error)")
        }
        try FileManager.default.removeItem(atPath: folder + "/a.json")
        try write("b.json", family: "warp_drive", parameters: "X=1")
        XCTAssertThrowsError(try CLBlastTuning.load(folder: folder)) { error in
            XCTAssertTrue("\(error)".contains("b.json") && "\(error)".contains("kernel_family"), "\(error)")
        }
        try FileManager.default.removeItem(atPath: folder + "/b.json")
        try Data("[1, 2]".utf8).write(to: URL(fileURLWithPath: folder + "/c.json"))
        XCTAssertThrowsError(try CLBlastTuning.load(folder: folder)) { error in
            XCTAssertTrue("\(error)".contains("c.json"), "\(error)")
        }
    }

    func testCLBlastAppliesTunedParametersAndRejectsWrongOnes() throws {
        let gpu = try clblastBackend(tuning: "clblast_copy_32.json", family: "copy",
                                     parameters: "COPY_DIMX=8 COPY_DIMY=16 COPY_VW=8 COPY_WPT=1 PRECISION=32")
        // A GEMM whose operands CLBlast copies into padded buffers (the tuned Copy kernel) still matches OpenBLAS.
        var random = SeededGenerator(seed: 5)
        let (m, n, k) = (67, 45, 129)
        let a = random.floats(m * k), b = random.floats(k * n)
        var results: [[Float]] = []
        for backend in [TestDevices.cpu, gpu as Backend] {
            let c = try backend.allocate([m, n], dtype: .float32)
            try backend.gemm(try backend.tensor(a, shape: [m, k]), try backend.tensor(b, shape: [k, n]), c,
                             GemmDescriptor(m: m, n: n, k: k))
            results.append(try c.toHost())
        }
        XCTAssertLessThan(maxNormalizedError(results[1], results[0]), 1e-5)

        try write("clblast_copy_32.json", family: "copy", parameters: "COPY_DIMX=8 PRECISION=32")
        let device = try XCTUnwrap(OpenCLDiscovery.devices().first).device
        XCTAssertThrowsError(try CLBlastTuning.load(folder: folder).apply(to: device)) { error in
            XCTAssertTrue("\(error)".contains("clblast_copy_32.json") && "\(error)".contains("Copy"), "\(error)")
        }
    }

    /// CLBlast's indirect GEMM (operands padded and transposed into the pooled scratch buffer), forced for every size
    /// with XGEMM_MIN_INDIRECT_SIZE=1: with CLBlast's default parameters every GEMM in CI takes the direct kernel.
    func testTheIndirectGemmWithPooledScratchMatchesTheCPUBackend() throws {
        let gpu = try clblastBackend(tuning: "clblast_gemm_routine_32.json", family: "gemm_routine",
                                     parameters: "XGEMM_MIN_INDIRECT_SIZE=1 PRECISION=32")
        var random = SeededGenerator(seed: 9)
        for (m, n, k) in [(67, 45, 129), (5, 3, 7)] {
            for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
                let d = GemmDescriptor(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, alpha: 0.75,
                                       beta: 0.5)
                let a = random.floats(m * k), b = random.floats(k * n), c = random.floats(m * n)
                var results: [[Float]] = []
                for backend in [TestDevices.cpu, gpu as Backend] {
                    let shapeA: Shape = transposeA ? [k, m] : [m, k], shapeB: Shape = transposeB ? [n, k] : [k, n]
                    let tensorA = try backend.tensor(a, shape: shapeA), tensorB = try backend.tensor(b, shape: shapeB)
                    let tensorC = try backend.tensor(c, shape: [m, n])
                    let acquired = gpu.pool.createdCount + gpu.pool.reusedCount
                    try backend.gemm(tensorA, tensorB, tensorC, d)
                    if backend === gpu {
                        XCTAssertGreaterThan(gpu.pool.createdCount + gpu.pool.reusedCount, acquired,
                                             "no scratch buffer: CLBlast ran its direct kernel")
                    }
                    results.append(try tensorC.toHost())
                }
                XCTAssertLessThan(maxNormalizedError(results[1], results[0]), 1e-5,
                                  "m=\(m) n=\(n) k=\(k) transA=\(transposeA) transB=\(transposeB)")
            }
        }
    }
}
