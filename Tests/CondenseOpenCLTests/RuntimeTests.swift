import CondenseCore
import CondenseOpenCL
import CondenseTestSupport
import XCTest

/// The OpenCL runtime's promises: pooled buffers, build logs in errors, named status codes, explicit transfers.
final class RuntimeTests: XCTestCase {
    func testFreedBuffersAreReusedFromTheirBucket() throws {
        let gpu = try TestDevices.openCL()
        let size = 12_345  // an odd size, so its bucket is not shared with other tests' power-of-two tensors
        do { _ = try gpu.allocate([size], dtype: .float32) }
        let created = gpu.pool.createdCount, reused = gpu.pool.reusedCount
        for _ in 0..<5 { _ = try gpu.allocate([size + 3], dtype: .float32) }  // same bucket
        XCTAssertEqual(gpu.pool.createdCount, created, "a training step must not create buffers")
        XCTAssertEqual(gpu.pool.reusedCount, reused + 5)
    }

    func testBucketsRoundUpByAtMostAQuarter() {
        XCTAssertEqual(BufferPool.bucketSize(for: 0), 256)
        XCTAssertEqual(BufferPool.bucketSize(for: 256), 256)
        XCTAssertEqual(BufferPool.bucketSize(for: 257), 320)
        XCTAssertEqual(BufferPool.bucketSize(for: 1024), 1024)
        XCTAssertEqual(BufferPool.bucketSize(for: 1025), 1280)
        for size in [300, 4097, 1_000_001, 123_456_789] {
            let bucket = BufferPool.bucketSize(for: size)
            XCTAssertGreaterThanOrEqual(bucket, size)
            XCTAssertLessThanOrEqual(Double(bucket), Double(size) * 1.25 + 1)
        }
    }

    func testAKernelThatFailsToCompileReportsTheBuildLog() throws {
        let gpu = try TestDevices.openCL()
        let broken = "__kernel void broken(__global float* x) { x[0] = undeclared_identifier; }"
        XCTAssertThrowsError(try gpu.buildProgram(label: "broken", source: broken)) { error in
            guard case let CondenseError.kernelBuild(program, log) = error else {
                return XCTFail("expected a kernelBuild error, got \(error)")
            }
            XCTAssertEqual(program, "broken.cl")
            XCTAssertTrue(log.contains("undeclared_identifier"), "the build log names the culprit: \(log)")
        }
    }

    func testAMissingKernelFileIsAClearError() throws {
        let gpu = try TestDevices.openCL()
        let x = try gpu.full([4], value: 1)
        XCTAssertThrowsError(try gpu.launch("nothing", file: "no_such_file", arguments: [.buffer(x)], global: [4])) {
            XCTAssertTrue("\($0)".contains("no_such_file.cl"), "\($0)")
        }
    }

    func testStatusCodesAreNamed() {
        XCTAssertEqual(openCLStatusName(-5), "CL_OUT_OF_RESOURCES")
        XCTAssertEqual(openCLStatusName(-11), "CL_BUILD_PROGRAM_FAILURE")
        XCTAssertEqual(openCLStatusName(-9999), "status -9999")
    }

    func testUploadFillCopyAndReadBack() throws {
        let gpu = try TestDevices.openCL()
        var random = SeededGenerator(seed: 5)
        let values = random.floats(1001)
        let source = try gpu.tensor(values, shape: [7, 11, 13])
        let destination = try gpu.full([1001], value: .nan)
        try gpu.copy(source, to: destination)
        XCTAssertEqual(try destination.toHost(), values)
        try gpu.fill(destination, with: 2.5)
        XCTAssertEqual(try destination.toHost(), [Float](repeating: 2.5, count: 1001))
        XCTAssertEqual(try source.to(TestDevices.cpu).toHost(), values)
        XCTAssertThrowsError(try gpu.copy(source, to: try gpu.allocate([3], dtype: .float32)))
    }

    /// `startRead` returns before the copy is done; after `wait()` the bytes are those the ops queued before it left,
    /// from another thread too (the gradient averager's communication thread waits there).
    func testAStartedReadHoldsTheValuesOfTheOpsQueuedBeforeIt() throws {
        let gpu = try TestDevices.openCL()
        let tensor = try gpu.full([100_003], value: 1)
        try gpu.fill(tensor, with: 2.5)
        let bytes = UnsafeMutableBufferPointer<Float>.allocate(capacity: tensor.count)
        defer { bytes.deallocate() }
        bytes.initialize(repeating: .nan)
        let read = try gpu.startRead(tensor, into: UnsafeMutableRawBufferPointer(bytes))
        try gpu.fill(tensor, with: -1)  // queued after the read: not what it copies
        let waited = expectation(description: "waited on another thread")
        DispatchQueue.global().async {
            do { try read.wait() } catch { XCTFail("\(error)") }
            waited.fulfill()
        }
        wait(for: [waited], timeout: 60)
        XCTAssertEqual(bytes.filter { $0 != 2.5 }.count, 0, "first values: \(Array(bytes.prefix(4)))")
        XCTAssertNoThrow(try read.wait(), "waiting again is allowed")
        XCTAssertEqual(Set(try tensor.toHost()), [-1])
        XCTAssertThrowsError(try gpu.startRead(tensor, into: UnsafeMutableRawBufferPointer(rebasing:
            UnsafeMutableRawBufferPointer(bytes)[0..<8])))
    }

    func testTensorsOfAnotherBackendAreRejected() throws {
        let gpu = try TestDevices.openCL()
        let host = try TestDevices.cpu.full([4], value: 1)
        XCTAssertThrowsError(try gpu.copy(host, to: try gpu.allocate([4], dtype: .float32))) {
            XCTAssertEqual($0 as? CondenseError, .backendMismatch(op: "copy"))
        }
    }
}
