import CondenseCPU
import CondenseCore
import CondenseTestSupport
import XCTest

/// Tensors, shapes and host transfers on the CPU backend.
final class TensorTests: XCTestCase {
    func testRoundTripAndReshape() throws {
        let backend = TestDevices.cpu
        let tensor = try backend.tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        XCTAssertEqual(tensor.shape.count, 6)
        XCTAssertEqual(try tensor.reshaped([3, 2]).toHost(), [1, 2, 3, 4, 5, 6])
        XCTAssertThrowsError(try tensor.reshaped([4, 2]))
    }

    func testValueCountMustMatchTheShape() {
        XCTAssertThrowsError(try TestDevices.cpu.tensor([1, 2, 3], shape: [2, 2])) {
            XCTAssertTrue("\($0)".contains("4 values for [2, 2]"), "\($0)")
        }
        XCTAssertThrowsError(try TestDevices.cpu.allocate([2, -1], dtype: .float32))
    }

    func testNarrowTypesStoreTheirBytes() throws {
        let int8 = try TestDevices.cpu.allocate([3], dtype: .int8)
        XCTAssertEqual(int8.byteCount, 3)
        try [UInt8(1), 255, 7].withUnsafeBytes { try TestDevices.cpu.write($0, to: int8) }
        XCTAssertEqual(try int8.toHostBytes(), [1, 255, 7])
        XCTAssertThrowsError(try int8.toHost())
        XCTAssertEqual(DType.float16.byteSize, 2)
    }
}

/// Copies between tensors of the CPU backend (a release-build miscompile once made this throw a garbage error).
final class CPUCopyTests: XCTestCase {
    func testCopyMovesEveryByteAndChecksItsArguments() throws {
        let backend = TestDevices.cpu
        let source = try backend.tensor([1, -2, 3.5], shape: [3]), destination = try backend.poisoned([3])
        try backend.copy(source, to: destination)
        XCTAssertEqual(try destination.toHost(), [1, -2, 3.5])
        XCTAssertThrowsError(try backend.copy(source, to: try backend.allocate([4], dtype: .float32)))
        XCTAssertThrowsError(try backend.copy(source, to: try CPUBackend().allocate([3], dtype: .float32))) {
            XCTAssertEqual($0 as? CondenseError, .backendMismatch(op: "copy"))
        }
    }
}
