import CondenseCompress
import CondenseCore
import CondenseData
import CondenseNN
import Foundation

/// How cheap the proxy is: how many images it trains and scores on, and for how long.
public struct ProxySettings: Codable, Equatable, Sendable {
    /// The first images of the training split the short fine-tune runs on (the teacher's logits on them are
    /// computed once), and the first images of the validation split it is scored on.
    public var trainingImages = 2048
    public var validationImages = 512
    /// Epochs of the short fine-tune over those images.
    public var epochs = 2
    /// Validation images the sensitivity that ranks a candidate's channel groups is measured on.
    public var sensitivityImages = 256
    /// Training images that calibrate the INT8 copy whose ONNX bytes are the cost.
    public var calibrationImages = 64
    public var seed: UInt64 = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case epochs, seed
        case trainingImages = "training_images", validationImages = "validation_images"
        case sensitivityImages = "sensitivity_images", calibrationImages = "calibration_images"
    }
}

/// The real `CandidateEvaluator`: a candidate's proxy accuracy is its validation accuracy after a short Hinton
/// distillation from the teacher's cached logits (offline distillation: no augmentation, the teacher run once on
/// the proxy's training images) — from scratch at the training recipe's learning rate for a grid point, from its
/// parent's proxy weights (pruned to its channels, batch norms recalibrated) at the fine-tuning rate for a refined
/// one. The test split is never read: the proxy's dataset holds the first training and validation images only.
/// Each candidate's proxy weights are kept in `folder` (`KEY.safetensors`), which refinement prunes from and a
/// resumed search reloads.
public final class DistillationProxy: CandidateEvaluator {
    public let teacher: TrainedModel
    public let settings: ProxySettings
    /// The proxy's images: the first training and validation images, the validation ones standing in for the test
    /// split too (the training loop scores one at the end), so nothing of the real test split is ever seen.
    public let data: ImageDataset
    public let folder: String
    private let teacherLogits: TeacherLogitCache
    private let latency: Bool
    private let temperature: Float, alpha: Float
    private let progress: (TrainingEvent) -> Void
    /// The fully trained weights refinement starts from (`prepareStart`); nil: the grid point's proxy weights.
    public var startingWeights: ((CandidateArchitecture) throws -> TrainedModel)?

    public init(teacher: TrainedModel, dataset: ImageDataset, settings: ProxySettings, folder: String, latency: Bool,
                temperature: Float = Distillation.defaultTemperature, alpha: Float = Distillation.defaultAlpha,
                progress: @escaping (TrainingEvent) -> Void = { _ in }) throws {
        guard settings.trainingImages >= 1, settings.validationImages >= 1, settings.epochs >= 1 else {
            throw CondenseError.invalidArgument(op: "search", "the proxy needs at least one training image, one " +
                                                "validation image and one epoch")
        }
        let train = dataset.train.prefix(settings.trainingImages)
        let validation = dataset.validation.prefix(settings.validationImages)
        var data = ImageDataset(name: dataset.name + " (search proxy)", channels: dataset.channels,
                                height: dataset.height, width: dataset.width, classNames: dataset.classNames,
                                train: train, validation: validation, test: validation)
        data.drawnSplit = dataset.drawnSplit
        self.data = data
        self.teacher = teacher
        self.settings = settings
        self.folder = folder
        self.latency = latency
        self.temperature = temperature
        self.alpha = alpha
        self.progress = progress
        teacherLogits = try TeacherLogitCache(
            logits: Evaluation.predictions(of: teacher, on: train, dataset: data, batchSize: 256).logits,
            classes: teacher.configuration.classes)
    }

    /// Where a candidate's proxy weights are kept.
    public func checkpointPath(_ key: String) -> String { (folder as NSString).appendingPathComponent(key + ".safetensors") }

    public func measure(_ architecture: CandidateArchitecture, parent: SearchCandidate?) throws
        -> (cost: CandidateCost, proxyAccuracy: Double) {
        var options = TrainingOptions()
        options.epochs = settings.epochs
        options.augment = false
        options.seed = settings.seed
        let model: TrainedModel
        if let parent {
            model = try Self.pruned(try TrainedModel.load(checkpointPath(parent.key), on: teacher.module.backend),
                                    to: architecture.blockChannels ?? [])
            try BatchNormRecalibration.run(model, on: data.train, dataset: data, images: data.train.count,
                                           batchSize: options.batchSize)
            options.learningRate = TrainingOptions.fineTuningLearningRate
        } else {
            model = try Self.student(architecture, of: teacher, seed: settings.seed &+ 1)
        }
        let distillation = try Distillation(teacher: teacher, student: model, temperature: temperature, alpha: alpha,
                                            teacherLogits: teacherLogits)
        let summary = try Training.train(model, on: data, options: options,
                                         checkpointPath: checkpointPath(architecture.key),
                                         objective: distillation.objective, progress: progress)
        let cost = try CandidateCost(of: model, calibratingOn: data, calibrationImages: settings.calibrationImages,
                                     latency: latency)
        return (cost, summary.bestValidationAccuracy)
    }

    public func prepareStart(_ start: SearchCandidate) throws -> SearchCandidate {
        guard let startingWeights else { return start }
        let model = try startingWeights(start.architecture)
        try model.save(to: checkpointPath(start.key))
        var prepared = start
        prepared.origin = "grid, distilled fully"
        prepared.proxyAccuracy = try Evaluation.evaluate(model, on: data.validation, dataset: data).accuracy
        prepared.cost = try CandidateCost(of: model, calibratingOn: data, calibrationImages: settings.calibrationImages,
                                          latency: latency)
        return prepared
    }

    public func cost(of architecture: CandidateArchitecture) throws -> CandidateCost {
        try CandidateCost(of: try Self.student(architecture, of: teacher, seed: 0), calibratingOn: data,
                          calibrationImages: settings.calibrationImages, latency: latency)
    }

    public func channelCounts(of architecture: CandidateArchitecture) throws -> [Int] {
        try Self.channelCounts(of: try Self.student(architecture, of: teacher, seed: 0))
    }

    public func rankedGroups(of candidate: SearchCandidate, shrinking ratio: Double) throws -> [Int] {
        let model = try TrainedModel.load(checkpointPath(candidate.key), on: teacher.module.backend)
        var options = SensitivityOptions()
        options.ratios = [ratio]
        options.maxImages = settings.sensitivityImages
        let profile = try SensitivityAnalysis.run(model, on: data, options: options)
        let counts = try Self.channelCounts(of: model)
        let parameters = model.module.parameterCount
        var order: [(lossPerParameter: Double, saved: Int, group: Int)] = []
        for (group, layer) in profile.layers.enumerated() {
            var shrunk = counts
            shrunk[group] = GreedySearch.shrunkCount(counts[group], ratio: ratio)
            var configuration = model.configuration
            configuration.blockChannels = shrunk
            let saved = parameters - (try configuration.build(on: model.module.backend).parameterCount)
            let loss = max(profile.baselineAccuracy - layer.accuracy[0], 0)
            order.append((saved > 0 ? loss / Double(saved) : .infinity, saved, group))
        }
        return order.sorted { ($0.lossPerParameter, -$0.saved, $0.group) < ($1.lossPerParameter, -$1.saved, $1.group) }
            .map(\.group)
    }

    /// A freshly initialized student of `architecture` for `teacher`'s data.
    static func student(_ architecture: CandidateArchitecture, of teacher: TrainedModel,
                        seed: UInt64) throws -> TrainedModel {
        let model = try ModelFactory.student(architecture.architecture, width: architecture.width,
                                             blocksPerStage: architecture.blocksPerStage, of: teacher, seed: seed)
        guard let blockChannels = architecture.blockChannels else { return model }
        var configuration = model.configuration
        configuration.blockChannels = blockChannels
        return model.derived(configuration: configuration,
                             module: try configuration.build(on: model.module.backend, seed: seed))
    }

    /// The channel count of each of `model`'s channel groups, in `blockChannels` order.
    static func channelCounts(of model: TrainedModel) throws -> [Int] {
        let shapes = Dictionary(model.module.namedParameters().map { ($0.name, $0.variable.shape.dims) },
                                uniquingKeysWith: { first, _ in first })
        return try ChannelPruning.groups(of: model).map { group in
            guard let shape = shapes[group.name + ".weight"] else {
                throw CondenseError.invalidArgument(op: "search", "the model has no weight '\(group.name).weight'")
            }
            return shape[0]
        }
    }

    /// `model` physically pruned (lowest-L1 channels first) to the channel counts `target`, one per group.
    static func pruned(_ model: TrainedModel, to target: [Int]) throws -> TrainedModel {
        let counts = try channelCounts(of: model)
        guard target.count == counts.count, zip(target, counts).allSatisfy({ $0 >= 1 && $0 <= $1 }) else {
            throw CondenseError.invalidArgument(op: "search", "cannot prune channel counts \(counts) to \(target): " +
                                                "one count per group, each between 1 and the group's channels")
        }
        return try ChannelPruning.prune(model, ratios: zip(counts, target).map { Double($0 - $1) / Double($0) })
    }
}
