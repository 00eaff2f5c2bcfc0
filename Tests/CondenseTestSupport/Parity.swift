import CondenseCore
import CondenseOpenCL
import XCTest

public extension Backend {
    /// A float32 tensor full of NaN: an output any unwritten element of which shows up in the comparison.
    func poisoned(_ shape: Shape) throws -> Tensor { try full(shape, value: .nan) }
}

/// The one parity runner: runs `body` on the CPU backend and on the OpenCL backend with the same inputs (build them
/// inside `body` from host arrays, allocate outputs with `poisoned`) and compares every returned tensor.
public func assertParity(_ label: String, rtol: Float = 1e-5, atol: Float = 1e-6,
                         file: StaticString = #filePath, line: UInt = #line,
                         _ body: (Backend) throws -> [Tensor]) throws {
    let gpu = try TestDevices.openCL()
    let expected = try body(TestDevices.cpu)
    let actual = try body(gpu)
    XCTAssertEqual(actual.count, expected.count, label, file: file, line: line)
    for (index, (a, e)) in zip(actual, expected).enumerated() {
        let values = try e.toHost()
        XCTAssertFalse(values.contains { $0.isNaN }, "\(label) output \(index): the CPU reference left NaN",
                       file: file, line: line)
        try assertClose(a, e, rtol: rtol, atol: atol, "\(label) output \(index)", file: file, line: line)
    }
}

/// `assertParity` once per chunk tiling of the OpenCL backend (`ChunkTiling.forDevice` for a CPU and for a GPU), for
/// ops whose kernels chunk their data by `OpenCLBackend.tiling`: CI's PoCL then also checks what a GPU would run.
public func assertParityForEachTiling(_ label: String, rtol: Float = 1e-5, atol: Float = 1e-6,
                                      file: StaticString = #filePath, line: UInt = #line,
                                      _ body: (Backend) throws -> [Tensor]) throws {
    let device = try TestDevices.openCL()
    let own = device.tiling
    defer { device.tiling = own }
    for isGPU in [false, true] {
        device.tiling = .forDevice(isGPU: isGPU)
        try assertParity("\(label) (\(isGPU ? "GPU" : "CPU") tiling)", rtol: rtol, atol: atol, file: file, line: line,
                         body)
    }
}
