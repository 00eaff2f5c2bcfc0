import CondenseCore
import CondenseTestSupport
import XCTest

/// ReLU and ReLU6 pass a NaN and clamp infinities on OpenCL as on the CPU backend (and in PyTorch), in the
/// activation kernel and fused into batch norm, on both chunk tilings. OpenCL's `fmax(NaN, 0)` is 0, so a kernel
/// built on it turned a diverged activation into 0: a model whose weights had blown up could then give finite
/// logits, on one implementation and not another, and be kept as the best.
final class NonFiniteActivationTests: XCTestCase {
    /// 37 values (vector lanes and a tail) holding every kind of float an activation can meet.
    private let values: [Float] = (0..<37).map { [.nan, .infinity, -.infinity, -2, -0.0, 0, 0.5, 6, 7.5][$0 % 9] }

    func testReLUAndReLU6PassNaNAsTheCPUBackendDoes() throws {
        let device = try TestDevices.openCL()
        let own = device.tiling
        defer { device.tiling = own }
        let shape: Shape = [1, 1, 1, values.count]
        for activation in [Activation.relu, .relu6] {
            let expected = try outputs(of: activation, shape: shape, on: TestDevices.cpu)
            XCTAssertEqual(expected[0].filter(\.isNaN).count, 5, "the CPU reference passes every NaN")
            for isGPU in [false, true] {
                device.tiling = .forDevice(isGPU: isGPU)
                let actual = try outputs(of: activation, shape: shape, on: device)
                for (name, (a, e)) in zip(["activation", "batch norm"], zip(actual, expected)) {
                    XCTAssertEqual(a.map(\.bitPattern), e.map(\.bitPattern),
                                   "\(activation) in \(name), \(isGPU ? "GPU" : "CPU") tiling: \(a) against \(e)")
                }
            }
        }
    }

    /// The activation of `values`, alone and fused into an inference batch norm that leaves its input as it is
    /// (1/√(0.75 + 0.25) = 1).
    private func outputs(of activation: Activation, shape: Shape, on backend: Backend) throws -> [[Float]] {
        let input = try backend.tensor(values, shape: shape)
        let alone = try backend.full(shape, value: 1), fused = try backend.full(shape, value: 1)
        try backend.activation(activation, input: input, output: alone)
        try backend.batchNormInference(input: input, gamma: try backend.full([1], value: 1),
                                       beta: try backend.full([1], value: 0), runningMean: try backend.full([1], value: 0),
                                       runningVariance: try backend.full([1], value: 0.75), epsilon: 0.25, output: fused,
                                       activation: activation)
        return [try alone.toHost(), try fused.toHost()]
    }
}
