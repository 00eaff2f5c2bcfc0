import CondenseCore

/// Loads weights trained elsewhere: a PyTorch `state_dict` saved as safetensors (`safetensors.torch.save_file`).
///
/// Condense's models use torchvision's parameter names (`conv1.weight`, `layer1.0.bn1.running_mean`, `fc.weight` for
/// ResNets; `features.3.conv.1.0.weight`, `classifier.1.weight` for MobileNetV2), so a torchvision model's tensors
/// load by name, unchanged. What PyTorch saves beyond that is dropped: `num_batches_tracked` counters, and a
/// `module.` prefix left by `DataParallel`. Half-precision tensors are widened to float32. Every other name and shape
/// must match the model exactly; mismatches are listed by name. The checkpoint carries no Condense metadata, so the
/// caller says what the model is and how its inputs were normalized.
public enum PyTorchImport {
    /// Builds `configuration` on `backend` and loads the state dict at `path` into it.
    public static func load(_ path: String, as configuration: ModelConfiguration, normalizationMean: [Float],
                            normalizationStd: [Float], classNames: [String], on backend: Backend) throws -> TrainedModel {
        do {
            try configuration.validateNormalization(mean: normalizationMean, std: normalizationStd)
        } catch let error as ModelConfiguration.InvalidField {
            throw CondenseError.invalidArgument(op: "import", error.description)
        }
        var checkpoint = try Checkpoint(contentsOf: path)
        checkpoint.tensors = checkpoint.tensors.compactMap(condenseTensor)
        let model = TrainedModel(configuration: configuration, module: try configuration.build(on: backend),
                                 normalizationMean: normalizationMean, normalizationStd: normalizationStd,
                                 classNames: classNames)
        try model.load(checkpoint, path: path)
        return model
    }

    /// The tensor as Condense keeps it, or nil for PyTorch bookkeeping.
    static func condenseTensor(_ tensor: NamedTensorData) -> NamedTensorData? {
        var name = tensor.name
        if name.hasPrefix("module.") { name.removeFirst("module.".count) }
        guard !name.hasSuffix(".num_batches_tracked") else { return nil }
        return tensor.dtype == .float16
            ? NamedTensorData(name: name, shape: tensor.shape, floats: tensor.floats())
            : NamedTensorData(name: name, dtype: tensor.dtype, shape: tensor.shape, bytes: tensor.bytes)
    }
}
