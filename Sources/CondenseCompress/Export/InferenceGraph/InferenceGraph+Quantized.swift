import CondenseCore
import CondenseNN

extension InferenceGraph {
    /// The deployed inference graph of an INT8 model (a `QuantizedClassifier`, as a quantized checkpoint loads): the
    /// graph its integer inference runs (`QuantizedClassifier.inferenceGraph()`), annotated with its quantization,
    /// with the stored normalization in front (`normalizing`).
    ///
    /// - Throws: `CondenseError.invalidArgument` for a model that is not quantized or whose normalization does not
    ///   hold one mean and one std per input channel.
    public init(quantized model: TrainedModel) throws {
        guard let classifier = model.module as? QuantizedClassifier else {
            throw CondenseError.invalidArgument(op: "export", "an INT8 export needs a quantized model (condense quantize)")
        }
        let c = model.configuration
        guard model.normalizationMean.count == c.inputChannels, model.normalizationStd.count == c.inputChannels else {
            throw CondenseError.invalidArgument(op: "export", "the model's normalization needs one mean and one std per " +
                                                "input channel (\(c.inputChannels))")
        }
        self = try classifier.inferenceGraph().normalizing(mean: model.normalizationMean, std: model.normalizationStd,
                                                           inputShape: [c.inputChannels, c.imageSize, c.imageSize])
    }
}
