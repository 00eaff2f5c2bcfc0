import CondenseCore
import CondenseNN
import CondenseTestSupport
import XCTest

/// The tape's report of each parameter whose gradient is complete, which data-parallel training relies on to send
/// gradients while backward still runs.
final class GradientCompletionTests: XCTestCase {
    private let backend = TestDevices.cpu

    /// Every parameter of a ResNet-20 (a weight read twice: never, as each is read once; the residual adds read the
    /// same activation twice) is reported once, holding at that moment the gradient it ends the pass with, and the
    /// last layer's parameters are reported before the first layer's.
    func testEveryParameterIsReportedOnceWithItsFinalGradient() throws {
        let model = try ModelConfiguration(architecture: .resnet20, width: 0.25, classes: 3, imageSize: 8)
            .build(on: backend, seed: 4)
        model.train(true)
        let images = Variable(try backend.tensor((0..<(2 * 3 * 8 * 8)).map { Float($0 % 7) / 7 - 0.4 },
                                                 shape: [2, 3, 8, 8]))
        let labels = try backend.allocate([2], dtype: .int32)
        try [Int32(0), 2].withUnsafeBytes { try backend.write($0, to: labels) }
        let (loss, tape) = try Tape.record { try crossEntropy(try model(images), labels: labels) }
        var reported: [(variable: Variable, gradient: [Float])] = []
        try tape.backward(from: loss) { variable in
            reported.append((variable, try XCTUnwrap(variable.grad).toHost()))
        }
        let parameters = model.namedParameters()
        XCTAssertEqual(reported.count, parameters.count)
        for (name, parameter) in parameters {
            let reports = reported.filter { $0.variable === parameter }
            XCTAssertEqual(reports.count, 1, "\(name) reported \(reports.count) times")
            XCTAssertEqual(reports.first?.gradient, try XCTUnwrap(parameter.grad).toHost(),
                           "\(name) was reported before backward finished adding to its gradient")
        }
        let order = reported.map { reportedVariable in
            parameters.firstIndex { $0.variable === reportedVariable.variable }!
        }
        XCTAssertGreaterThan(order.first!, order.last!, "the classifier completes first, the stem last")
    }

    /// A weight read by two ops is reported once, after the first op (the last walked backward) added to it.
    func testAWeightReadTwiceIsReportedAfterItsLastUse() throws {
        let weight = Variable(try backend.tensor([2, -1], shape: [2]), requiresGrad: true)
        let target = try backend.tensor([0, 0], shape: [2])
        let (loss, tape) = try Tape.record { () throws -> Variable in
            let once = try halfMeanSquaredError(weight, target: target, weight: 1)
            let twice = try halfMeanSquaredError(weight, target: target, weight: 3)
            return try add(once, twice)
        }
        var reports: [[Float]] = []
        try tape.backward(from: loss) { reports.append(try XCTUnwrap($0.grad).toHost()) }
        XCTAssertEqual(reports.count, 1)
        XCTAssertEqual(reports.first, try XCTUnwrap(weight.grad).toHost())
        XCTAssertEqual(reports.first, [4, -2], "∂/∂w of (1 + 3) · ‖w‖²/(2·2) = w·2: both uses added")
    }
}
