import CondenseCore

/// A model with everything needed to use it on new images: its configuration, the per-channel normalization it was
/// trained with (pixels scaled to [0, 1]) and its class names. Saved as one safetensors checkpoint whose
/// `__metadata__` alone rebuilds the model.
public final class TrainedModel {
    public let configuration: ModelConfiguration
    public let module: Module
    public let normalizationMean: [Float]
    public let normalizationStd: [Float]
    public let classNames: [String]
    /// The split of an image folder the model was trained on (`Checkpoint.Key.dataSplit`), so that commands scoring
    /// it on the same folder draw the same test images; nil when the data gave its splits.
    public var dataSplit: String?
    /// How the model was distilled (`Checkpoint.Key.distillation`, a JSON object); nil for a model trained from
    /// scratch.
    public var distillation: String?

    public init(configuration: ModelConfiguration, module: Module, normalizationMean: [Float], normalizationStd: [Float],
                classNames: [String]) {
        self.configuration = configuration
        self.module = module
        self.normalizationMean = normalizationMean
        self.normalizationStd = normalizationStd
        self.classNames = classNames
    }

    /// A model of `configuration` and `module` for the same data as this one: its normalization, class names, data
    /// split and distillation record (a student, a pruned or a quantized model).
    public func derived(configuration: ModelConfiguration, module: Module) -> TrainedModel {
        let model = TrainedModel(configuration: configuration, module: module, normalizationMean: normalizationMean,
                                 normalizationStd: normalizationStd, classNames: classNames)
        model.dataSplit = dataSplit
        model.distillation = distillation
        return model
    }

    /// Every parameter and buffer, in model order, with PyTorch's names.
    public var stateVariables: [(name: String, variable: Variable)] {
        module.namedParameters() + module.namedBuffers()
    }

    /// The checkpoint of the current weights and metadata.
    public func checkpoint() throws -> Checkpoint {
        Checkpoint(tensors: try stateVariables.map { try NamedTensorData(name: $0.name, tensor: $0.variable.value) },
                   metadata: metadata)
    }

    /// The `__metadata__` a checkpoint of this model records (`Checkpoint.Key`), JSON text where structured.
    public var metadata: [String: String] {
        var checkpoint = Checkpoint()
        checkpoint.setMetadata(configuration.architecture.rawValue, for: Checkpoint.Key.architecture)
        checkpoint.setMetadata(Float(configuration.width), for: Checkpoint.Key.width)
        checkpoint.setMetadata(configuration.classes, for: Checkpoint.Key.classes)
        checkpoint.setMetadata([configuration.inputChannels, configuration.imageSize, configuration.imageSize],
                               for: Checkpoint.Key.inputShape)
        if let blockChannels = configuration.blockChannels {
            checkpoint.setMetadata(blockChannels, for: Checkpoint.Key.blockChannels)
        }
        if let blocksPerStage = configuration.blocksPerStage {
            checkpoint.setMetadata(blocksPerStage, for: Checkpoint.Key.blocksPerStage)
        }
        checkpoint.setMetadata(normalizationMean, for: Checkpoint.Key.normalizationMean)
        checkpoint.setMetadata(normalizationStd, for: Checkpoint.Key.normalizationStd)
        checkpoint.setMetadata(classNames, for: Checkpoint.Key.classNames)
        if let dataSplit { checkpoint.setMetadata(dataSplit, for: Checkpoint.Key.dataSplit) }
        if let distillation { checkpoint.setMetadata(distillation, for: Checkpoint.Key.distillation) }
        if let quantized = module as? QuantizedClassifier {
            checkpoint.metadata[Checkpoint.Key.quantization] = quantized.graphJSON
        }
        return checkpoint.metadata
    }

    /// Writes the checkpoint atomically (temporary file, then rename).
    public func save(to path: String) throws { try checkpoint().write(to: path) }

    /// Rebuilds the model a checkpoint describes on `backend` and loads its weights, checking every name and shape.
    /// A quantized checkpoint (one with `quantization` metadata) becomes a `QuantizedClassifier`.
    public static func load(_ path: String, on backend: Backend) throws -> TrainedModel {
        try load(try Checkpoint(contentsOf: path), from: path, on: backend)
    }

    /// Rebuilds the model `checkpoint` (read from `path`, which errors name) describes, as `load(_:on:)` does.
    public static func load(_ checkpoint: Checkpoint, from path: String, on backend: Backend) throws -> TrainedModel {
        var checkpoint = checkpoint
        checkpoint.source = path
        let metadata = try CheckpointModelMetadata(checkpoint, path: path)
        let configuration = metadata.configuration
        let module: Module
        if checkpoint.metadata[Checkpoint.Key.quantization] != nil {
            module = try QuantizedClassifier(checkpoint: checkpoint, path: path, on: backend)
        } else {
            do {
                module = try configuration.build(on: backend)
            } catch let error as CondenseError {
                throw CondenseError.file(path: path, "metadata does not describe a model: \(error)")
            }
        }
        let model = TrainedModel(configuration: configuration, module: module,
                                 normalizationMean: metadata.normalizationMean,
                                 normalizationStd: metadata.normalizationStd, classNames: metadata.classNames)
        model.dataSplit = checkpoint.metadataString(Checkpoint.Key.dataSplit)
        model.distillation = checkpoint.metadataString(Checkpoint.Key.distillation)
        try model.load(checkpoint, path: path)
        return model
    }

    /// Replaces the weights with a checkpoint's after checking it holds exactly this model's tensors, every float
    /// finite; float16 tensors (an FP16 export) are widened to float32 first.
    public func load(_ checkpoint: Checkpoint, path: String) throws {
        let checkpoint = checkpoint.singlePrecision()
        let variables = stateVariables
        try checkpoint.validate(against: variables.map { ($0.name, $0.variable.shape.dims, $0.variable.value.dtype) },
                                architecture: configuration.architecture, width: Float(configuration.width), path: path)
        try checkpoint.requireFiniteFloats(path: path)
        for (name, variable) in variables {
            guard let stored = checkpoint[name] else { continue }
            try variable.assign(try stored.tensor(on: variable.backend))
        }
    }
}
