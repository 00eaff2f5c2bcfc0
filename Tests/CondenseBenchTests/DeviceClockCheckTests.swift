import CondenseBench
import XCTest

/// The check that decides whether `condense bench` believes a driver's profiling events or falls back to the wall
/// clock, on the figures real drivers produced.
final class DeviceClockCheckTests: XCTestCase {
    func testMadeUpTimestampsAreRejected() {
        // rusticl 22.3: a 64 MB copy reported as 1 ns (timestamps 0, 1, 2, 3) while 12 ms passed on the wall clock.
        XCTAssertFalse(DeviceClockCheck.isPlausible(deviceSeconds: 1e-9, wallSeconds: 0.012))
        // Events that end where they start sum to zero.
        XCTAssertFalse(DeviceClockCheck.isPlausible(deviceSeconds: 0, wallSeconds: 0.012))
        // An event that ends before it starts wraps to centuries.
        XCTAssertFalse(DeviceClockCheck.isPlausible(deviceSeconds: Double(UInt64.max) * 1e-9, wallSeconds: 0.012))
        XCTAssertFalse(DeviceClockCheck.isPlausible(deviceSeconds: .nan, wallSeconds: 0.012))
        // Twice the wall time it ran in.
        XCTAssertFalse(DeviceClockCheck.isPlausible(deviceSeconds: 0.030, wallSeconds: 0.012))
    }

    func testRealDeviceTimesAreBelieved() {
        // PoCL: a burst of copies, 11 ms of device time in 12 ms of wall time.
        XCTAssertTrue(DeviceClockCheck.isPlausible(deviceSeconds: 0.011, wallSeconds: 0.012))
        // A GPU: short kernels whose launches cost more than their work, 20 µs of device time in 400 µs.
        XCTAssertTrue(DeviceClockCheck.isPlausible(deviceSeconds: 20e-6, wallSeconds: 400e-6))
        // Clocks that disagree slightly: a device time a little above the wall time.
        XCTAssertTrue(DeviceClockCheck.isPlausible(deviceSeconds: 0.0125, wallSeconds: 0.012))
    }
}
