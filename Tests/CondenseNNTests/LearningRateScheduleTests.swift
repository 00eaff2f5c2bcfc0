import CondenseNN
import Foundation
import XCTest

/// Schedules against PyTorch's closed forms at the points where each one's shape is pinned down.
final class LearningRateScheduleTests: XCTestCase {
    func testStepDecay() {
        let schedule = StepSchedule(base: 0.1, stepSize: 30, gamma: 0.1)
        XCTAssertEqual(schedule.learningRate(at: 0), 0.1, accuracy: 1e-12)
        XCTAssertEqual(schedule.learningRate(at: 29), 0.1, accuracy: 1e-12)
        XCTAssertEqual(schedule.learningRate(at: 30), 0.01, accuracy: 1e-12)
        XCTAssertEqual(schedule.learningRate(at: 65), 0.001, accuracy: 1e-12)
    }

    func testCosineAnnealing() {
        let schedule = CosineSchedule(base: 0.2, totalSteps: 100, minimum: 0.002)
        XCTAssertEqual(schedule.learningRate(at: 0), 0.2, accuracy: 1e-12)
        XCTAssertEqual(schedule.learningRate(at: 50), 0.101, accuracy: 1e-12)
        XCTAssertEqual(schedule.learningRate(at: 25), 0.002 + 0.198 * (1 + cos(Double.pi / 4)) / 2, accuracy: 1e-12)
        XCTAssertEqual(schedule.learningRate(at: 100), 0.002, accuracy: 1e-12)
    }

    func testOneCycleRisesToThePeakThenFallsToTheFloor() {
        // OneCycleLR(max_lr=0.1, total_steps=100): starts at 0.1/25, peaks at step 0.3·100 − 1 = 29, ends at
        // 0.1/25/1e4 on the last step.
        let schedule = OneCycleSchedule(peak: 0.1, totalSteps: 100)
        XCTAssertEqual(schedule.learningRate(at: 0), 0.004, accuracy: 1e-12)
        XCTAssertEqual(schedule.learningRate(at: 29), 0.1, accuracy: 1e-12)
        XCTAssertEqual(schedule.learningRate(at: 99), 0.004 / 1e4, accuracy: 1e-15)
        let middle = 0.1 + (0.004 - 0.1) * (1 - cos(Double.pi * 14.5 / 29)) / 2
        XCTAssertEqual(schedule.learningRate(at: 14) + schedule.learningRate(at: 15), 2 * middle, accuracy: 1e-3)
        XCTAssertLessThan(schedule.learningRate(at: 60), schedule.learningRate(at: 40))
    }

    func testLinearWarmupMultipliesTheWrappedSchedule() {
        let schedule = WarmupSchedule(ConstantSchedule(0.3), warmupSteps: 4, startFactor: 0.25)
        XCTAssertEqual(schedule.learningRate(at: 0), 0.075, accuracy: 1e-12)
        XCTAssertEqual(schedule.learningRate(at: 2), 0.3 * 0.625, accuracy: 1e-12)
        XCTAssertEqual(schedule.learningRate(at: 4), 0.3, accuracy: 1e-12)
        XCTAssertEqual(schedule.learningRate(at: 40), 0.3, accuracy: 1e-12)
    }
}
