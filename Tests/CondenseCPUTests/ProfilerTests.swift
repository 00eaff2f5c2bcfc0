import CondenseCPU
import CondenseCore
import CondenseTestSupport
import XCTest

/// `Backend.profiler`: a backend created with profiling hands out one that counts every op it runs, under the op's
/// name, until reset; one created without hands out none.
final class ProfilerTests: XCTestCase {
    func testAProfilingBackendCountsEachOpItRuns() throws {
        let backend = CPUBackend(profiling: true)
        let profiler = try XCTUnwrap(backend.profiler)
        let a = try backend.full([4, 3], value: 1), b = try backend.full([3, 2], value: 2)
        let c = try backend.poisoned([4, 2]), total = try backend.poisoned([1])
        for _ in 0..<3 { try backend.gemm(a, b, c, GemmDescriptor(m: 4, n: 2, k: 3)) }
        try backend.sum(input: c, output: total)
        XCTAssertEqual(try total.toHost(), [48])
        let totals = try profiler.totals()
        XCTAssertEqual(totals["gemm"]?.launches, 3)
        XCTAssertGreaterThanOrEqual(totals["gemm"]?.seconds ?? -1, 0)
        profiler.reset()
        XCTAssertTrue(try profiler.totals().isEmpty)
    }

    func testABackendWithoutProfilingHasNoProfiler() {
        XCTAssertNil(CPUBackend().profiler)
        XCTAssertNil(TestDevices.cpu.profiler)
    }
}
