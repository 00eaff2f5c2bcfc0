import CondenseCore
import CondenseOpenCL
import CondenseTestSupport
import XCTest

/// `Backend.profiler` on OpenCL: a backend created with profiling times every kernel it launches from the kernel's
/// profiling events, under the kernel's name, until reset; the shared test backend, created without, has none.
final class ProfilerTests: XCTestCase {
    func testAProfilingBackendTimesEachKernelItLaunches() throws {
        let device = try TestDevices.openCL()
        XCTAssertNil(device.profiler)
        let handle = try XCTUnwrap(try OpenCLDiscovery.devices().first)
        let backend = try OpenCLBackend(handle, index: 0, profiling: true)
        let profiler = try XCTUnwrap(backend.profiler)
        let a = try backend.full([1000], value: 1.5), b = try backend.full([1000], value: 2), sum = try backend.poisoned([1000])
        profiler.reset()
        for _ in 0..<2 { try backend.add(a, b, output: sum) }
        try backend.synchronize()
        XCTAssertEqual(try sum.toHost(), [Float](repeating: 3.5, count: 1000))
        let totals = try profiler.totals()
        XCTAssertEqual(totals["add"]?.launches, 2)
        XCTAssertGreaterThan(totals["add"]?.seconds ?? 0, 0)
        profiler.reset()
        XCTAssertTrue(try profiler.totals().isEmpty)
    }
}
