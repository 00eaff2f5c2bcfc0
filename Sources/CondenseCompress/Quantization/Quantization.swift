import CondenseCore
import CondenseNN

/// INT8 quantization of a trained float classifier: `prepare` wraps it with fake quantization
/// (`FakeQuantizedClassifier`) for quantization-aware training or calibration, `convert` turns the result into an
/// INT8 model (`QuantizedClassifier`) that saves as a quantized checkpoint, evaluates with integer inference and
/// exports to ONNX QDQ. The training and calibration loops (`quantizeAwareTraining`, `calibrate`) live with the
/// training loop in the `Condense` module.
public enum Quantization {
    /// `model` with fake quantization inserted, ready for quantization-aware training or calibration; the float
    /// model's parameters are shared, not copied.
    ///
    /// - Throws: `CondenseError.invalidArgument` for a model that is already quantized or whose layout the
    ///   quantization graph cannot reproduce.
    public static func prepare(_ model: TrainedModel, learnsScales: Bool = false,
                               schedule: QuantizationSchedule = QuantizationSchedule()) throws -> TrainedModel {
        guard !(model.module is QuantizedClassifier || model.module is FakeQuantizedClassifier) else {
            throw CondenseError.invalidArgument(op: "quantize", "the model is already quantized; quantize its float " +
                                                "checkpoint instead")
        }
        guard let backend = model.module.namedParameters().first?.variable.backend else {
            throw CondenseError.invalidArgument(op: "quantize", "the model has no parameters to quantize")
        }
        let c = model.configuration
        var random = Initializer(seed: 0x5155_414E)
        let shape: Shape = [2, c.inputChannels, c.imageSize, c.imageSize]
        let sample = try backend.tensor(random.normal(shape.count, std: 1), shape: shape)
        let module = try FakeQuantizedClassifier(model.module, learnsScales: learnsScales, schedule: schedule,
                                                 sample: sample)
        return model.derived(configuration: c, module: module)
    }

    /// The INT8 model of a prepared (trained or calibrated) model: batch norms folded into their convolutions,
    /// weights quantized per output channel, biases to int32 at the input scale times each weight scale, and the
    /// activation quantizers' scales and zero points.
    ///
    /// - Throws: `CondenseError.invalidArgument` when `prepared` does not come from `prepare`, or when an
    ///   activation has no valid quantization (never observed, or a learned scale driven to ≤ 0).
    public static func convert(_ prepared: TrainedModel) throws -> TrainedModel {
        guard let module = prepared.module as? FakeQuantizedClassifier else {
            throw CondenseError.invalidArgument(op: "quantize", "convert takes a model made by Quantization.prepare")
        }
        return prepared.derived(configuration: prepared.configuration, module: try module.converted())
    }
}
