import CondenseCompress
import CondenseCore
import CondenseNN
import CondenseTestSupport
import XCTest

/// The fake-quant modules against the JAX fixtures (`Tests/Fixtures/fake_quant`, `fake_quant_modules`), on both
/// backends: the activation quantizer's moving-average observer, scale, zero point, output and gradients batch after
/// batch, and the weights' per-channel symmetric quantization.
final class FakeQuantModuleTests: XCTestCase {
    private func floats(_ family: String, _ name: String) throws -> [Float] { try Fixtures.array(family, name).floats() }

    private func backends() throws -> [Backend] { [TestDevices.cpu, try TestDevices.openCL()] }

    func testTheActivationObserverFollowsPyTorchsMovingAverageBatchAfterBatch() throws {
        let family = "fake_quant_modules"
        for backend in try backends() {
            for learnsScale in [false, true] {
                let quantizer = try ActivationFakeQuantize(learnsScale: learnsScale, on: backend)
                quantizer.observing = true
                for index in 1...3 {
                    let name = "observer\(index)", label = "\(backend.name) batch \(index) lsq \(learnsScale)"
                    let shape = Shape(try Fixtures.array(family, "\(name)_x").shape)
                    let x = Variable(try backend.tensor(try floats(family, "\(name)_x"), shape: shape), requiresGrad: true)
                    let dy = index == 3 ? try floats(family, "\(name)_dy") : [Float](repeating: 1, count: shape.count)
                    let ((y, loss), tape) = try Tape.record { () -> (Variable, Variable) in
                        let y = try quantizer(x)
                        return (y, try weightedSum(y, dy))
                    }
                    // The running range of float32 ops may differ in the last bit where the device fuses a·b + c.
                    assertClose(try quantizer.minimum.value.toHost(), try floats(family, "\(name)_min"), rtol: 1e-6,
                                atol: 0, label + " min")
                    assertClose(try quantizer.maximum.value.toHost(), try floats(family, "\(name)_max"), rtol: 1e-6,
                                atol: 0, label + " max")
                    let expectedScale = try floats(family, "\(name)_scale")
                    assertClose(try quantizer.scale.value.toHost(), expectedScale, rtol: 1e-6, atol: 0, label + " scale")
                    XCTAssertEqual(try quantizer.zeroPoint.value.toHost(), try floats(family, "\(name)_zero_point"),
                                   label + " zero point")
                    if try quantizer.scale.value.toHost() == expectedScale {
                        XCTAssertEqual(try y.value.toHost(), try floats(family, "\(name)_y"), label + " y (bitwise)")
                    } else {
                        // A device that fused the average's a·b + c has an ulp-different scale: y within one step.
                        XCTAssertFalse(backend === TestDevices.cpu, label + ": the CPU must match PyTorch bitwise")
                        assertClose(try y.value.toHost(), try floats(family, "\(name)_y"), rtol: 0,
                                    atol: expectedScale[0] * 1.001, label + " y")
                    }
                    guard index == 3 else { continue }
                    try tape.backward(from: loss)
                    assertClose(try x.grad!.toHost(), try floats(family, "\(name)_dx"), rtol: 1e-6, atol: 0, label + " dx")
                    if learnsScale {
                        assertClose(try quantizer.scale.grad!.toHost(), try floats(family, "\(name)_grad_scale"),
                                    rtol: 1e-5, atol: 1e-6, label + " LSQ scale gradient")
                    }
                }
                XCTAssertEqual(quantizer.observations, 3)
            }
        }
    }

    /// With the observer off, the module fake-quantizes with the scale and zero point it holds: PyTorch's per-tensor
    /// uint8 kernel on ties and range edges (the `pt_u8` fixture), with its gradients.
    func testAFrozenActivationQuantizerUsesItsScaleAndZeroPoint() throws {
        let family = "fake_quant"
        for backend in try backends() {
            let quantizer = try ActivationFakeQuantize(learnsScale: true, on: backend)
            try quantizer.scale.assign(try backend.tensor(try floats(family, "pt_u8_scale"), shape: [1]))
            try quantizer.zeroPoint.assign(try backend.tensor(try floats(family, "pt_u8_zero_point"), shape: [1]))
            let shape = Shape(try Fixtures.array(family, "pt_u8_x").shape)
            let x = Variable(try backend.tensor(try floats(family, "pt_u8_x"), shape: shape), requiresGrad: true)
            let dy = try floats(family, "pt_u8_dy")
            let ((y, loss), tape) = try Tape.record { () -> (Variable, Variable) in
                let y = try quantizer(x)
                return (y, try weightedSum(y, dy))
            }
            XCTAssertEqual(try y.value.toHost(), try floats(family, "pt_u8_y"), backend.name)
            try tape.backward(from: loss)
            assertClose(try x.grad!.toHost(), try floats(family, "pt_u8_dx"), rtol: 1e-6, atol: 0, backend.name)
            assertClose(try quantizer.scale.grad!.toHost(), try floats(family, "pt_u8_grad_scale"), rtol: 1e-5,
                        atol: 1e-6, backend.name)
            XCTAssertEqual(quantizer.observations, 0)
        }
    }

    func testWeightsQuantizeSymmetricallyPerChannelFromTheirOwnRange() throws {
        let family = "fake_quant_modules"
        let w = try floats(family, "weight_w"), shape = Shape(try Fixtures.array(family, "weight_w").shape)
        for backend in try backends() {
            let weight = Variable(try backend.tensor(w, shape: shape), requiresGrad: true)
            let dy = try floats(family, "weight_dy")
            let ((y, loss), tape) = try Tape.record { () -> (Variable, Variable) in
                let y = try WeightQuantization.fakeQuantized(weight)
                return (y, try weightedSum(y, dy))
            }
            XCTAssertEqual(try y.value.toHost(), try floats(family, "weight_y"), backend.name + " y (bitwise)")
            try tape.backward(from: loss)
            assertClose(try weight.grad!.toHost(), try floats(family, "weight_dx"), rtol: 1e-6, atol: 0, backend.name)
        }
        // The host quantizer behind conversion gives the same integers and scales.
        let (values, scales) = WeightQuantization.quantize(w, outputChannels: shape[0])
        XCTAssertEqual(values.map(Float.init), try floats(family, "weight_q"))
        XCTAssertEqual(scales, try floats(family, "weight_scale"))
        // A channel of zeros (pruned) gets scale 1, so its bias keeps a representable int32 scale.
        XCTAssertEqual(WeightQuantization.quantize([0, 0, 0.5, -1], outputChannels: 2).scales, [1, 1 / 127])
    }

    /// `Σ dy ⊙ y`: its gradient with respect to `y` is `dy`, so backward hands `dy` to the op under test.
    private func weightedSum(_ y: Variable, _ dy: [Float]) throws -> Variable {
        let weights = Variable(try y.backend.tensor(dy, shape: [1, dy.count]))
        return try reshape(try linear(try reshape(y, [1, dy.count]), weight: weights, bias: nil), [1])
    }
}
