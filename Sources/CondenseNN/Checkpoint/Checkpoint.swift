import CondenseCore
import Foundation

/// A model's saved state: its named tensors in order, and string metadata from which the model can be rebuilt.
///
/// Stored as a safetensors file (`SafeTensorsFile`), so Python's `safetensors` reads it. Safetensors metadata
/// values must be strings, so structured values are stored as JSON text: `setMetadata([0.5, 0.5, 0.5], for:
/// Checkpoint.Key.normalizationMean)` stores `"[0.5,0.5,0.5]"`, and `metadataFloats(_:)` reads it back exactly
/// (floats are written in Swift's shortest round-tripping form; NaN and ±infinity as Python's json writes them).
public struct Checkpoint: Equatable, Sendable {
    /// The tensors, in model order when built, in file order when read.
    public var tensors: [NamedTensorData]
    /// The metadata map; prefer the typed accessors below.
    public var metadata: [String: String]
    /// The file this checkpoint was read from, used to label metadata errors.
    public var source: String?

    /// The metadata keys ARCHITECTURE.md §8 names: what a checkpoint records so that it alone rebuilds its model.
    public enum Key {
        /// Model family, e.g. `resnet20`, `mobilenetv2` (a plain string).
        public static let architecture = "architecture"
        /// Width multiplier or factor (a number, e.g. `2` or `0.5`).
        public static let width = "width"
        /// Number of classes (an integer).
        public static let classes = "classes"
        /// Input shape without the batch axis, e.g. `[3,28,28]`.
        public static let inputShape = "input_shape"
        /// Per-channel normalization mean and standard deviation (arrays of numbers).
        public static let normalizationMean = "normalization_mean"
        public static let normalizationStd = "normalization_std"
        /// Class names, in label order (an array of strings).
        public static let classNames = "class_names"
        /// Inner channel counts of a structurally pruned model (`ModelConfiguration.blockChannels`, an array of
        /// integers); absent for an unpruned model.
        public static let blockChannels = "block_channels"
        /// Blocks of each stage of a model shallower or deeper than its architecture's own
        /// (`ModelConfiguration.blocksPerStage`, an array of integers); absent for the architecture's own depth.
        public static let blocksPerStage = "blocks_per_stage"
        /// The split an image-folder import drew for training, as `0.8,0.1,0.1 seed 0` (a plain string); absent when
        /// the data gave its splits.
        public static let dataSplit = "data_split"
        /// How the model was distilled, when it was (`Distillation.recipe`, a JSON object such as
        /// `{"alpha":0.9,"attention":0.0,"hint":0.0,"loss":"kd","temperature":4.0}`); absent otherwise.
        public static let distillation = "distillation"
        /// Quantization parameters (a JSON object; see `setMetadata(json:for:)`).
        public static let quantization = "quantization"
    }

    /// Equal tensors and metadata (wherever they were read from).
    public static func == (lhs: Checkpoint, rhs: Checkpoint) -> Bool {
        lhs.tensors == rhs.tensors && lhs.metadata == rhs.metadata
    }

    public init(tensors: [NamedTensorData] = [], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Reads and checks the safetensors file at `path`.
    public init(contentsOf path: String) throws {
        let file = try SafeTensorsFile(contentsOf: path)
        self.init(tensors: file.tensors, metadata: file.metadata)
        source = path
    }

    /// Writes the checkpoint to `path` atomically: a failure leaves any previous file there intact.
    public func write(to path: String) throws {
        try SafeTensorsFile(tensors: tensors, metadata: metadata).write(to: path)
    }

    /// The tensor named `name`, if any.
    public subscript(name: String) -> NamedTensorData? {
        tensors.first { $0.name == name }
    }

    // MARK: - Typed metadata

    /// Stores a plain string.
    public mutating func setMetadata(_ value: String, for key: String) { metadata[key] = value }

    /// Stores an integer as JSON (`8`).
    public mutating func setMetadata(_ value: Int, for key: String) { metadata[key] = String(value) }

    /// Stores a number as JSON (`2`, `0.5`).
    public mutating func setMetadata(_ value: Float, for key: String) { metadata[key] = Self.json(value) }

    /// Stores integers as a JSON array (`[3,28,28]`).
    public mutating func setMetadata(_ values: [Int], for key: String) {
        metadata[key] = "[" + values.map(String.init).joined(separator: ",") + "]"
    }

    /// Stores numbers as a JSON array (`[0.5,0.25]`).
    public mutating func setMetadata(_ values: [Float], for key: String) {
        metadata[key] = "[" + values.map(Self.json).joined(separator: ",") + "]"
    }

    /// Stores strings as a JSON array (`["basophil","eosinophil"]`).
    public mutating func setMetadata(_ values: [String], for key: String) {
        metadata[key] = "[" + values.map(CheckpointJSON.quoted).joined(separator: ",") + "]"
    }

    /// Stores any `Encodable` value as JSON with sorted keys, for structured entries such as quantization
    /// parameters.
    public mutating func setMetadata<Value: Encodable>(json value: Value, for key: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        metadata[key] = String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// The plain string stored under `key`.
    public func metadataString(_ key: String) -> String? { metadata[key] }

    /// The integer stored under `key`; throws when the text is not one.
    public func metadataInt(_ key: String) throws -> Int? {
        try decoded(key, "an integer") { value in
            guard case let .number(text) = value else { return nil }
            return Int(text)
        }
    }

    /// The number stored under `key`; throws when the text is not one.
    public func metadataFloat(_ key: String) throws -> Float? {
        try decoded(key, "a number") { Self.float($0) }
    }

    /// The integers stored under `key` as a JSON array.
    public func metadataInts(_ key: String) throws -> [Int]? {
        try decoded(key, "a JSON array of integers") { value in
            guard case let .array(elements) = value else { return nil }
            let values = elements.compactMap { element -> Int? in
                guard case let .number(text) = element else { return nil }
                return Int(text)
            }
            return values.count == elements.count ? values : nil
        }
    }

    /// The numbers stored under `key` as a JSON array.
    public func metadataFloats(_ key: String) throws -> [Float]? {
        try decoded(key, "a JSON array of numbers") { value in
            guard case let .array(elements) = value else { return nil }
            let values = elements.compactMap(Self.float)
            return values.count == elements.count ? values : nil
        }
    }

    /// The strings stored under `key` as a JSON array.
    public func metadataStrings(_ key: String) throws -> [String]? {
        try decoded(key, "a JSON array of strings") { value in
            guard case let .array(elements) = value else { return nil }
            let values = elements.compactMap { element -> String? in
                guard case let .string(text) = element else { return nil }
                return text
            }
            return values.count == elements.count ? values : nil
        }
    }

    /// The `Decodable` value stored under `key` as JSON.
    public func metadata<Value: Decodable>(json type: Value.Type, for key: String) throws -> Value? {
        guard let text = metadata[key] else { return nil }
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw CondenseError.file(path: source ?? "checkpoint",
                                     "metadata '\(key)' is not a JSON \(type): \(text.excerpt)")
        }
    }

    /// "resnet20 width 2": the architecture and width the metadata records, if it records an architecture.
    public var modelDescription: String? {
        guard let architecture = metadata[Key.architecture] else { return nil }
        return metadata[Key.width].map { "\(architecture) width \($0)" } ?? architecture
    }

    private func decoded<Value>(_ key: String, _ expected: String, _ convert: (CheckpointJSON) -> Value?) throws -> Value? {
        guard let text = metadata[key] else { return nil }
        guard let json = try? CheckpointJSON.parse(Array(text.utf8)), let value = convert(json) else {
            throw CondenseError.file(path: source ?? "checkpoint",
                                     "metadata '\(key)' should be \(expected), found '\(text.excerpt)'")
        }
        return value
    }

    /// A float as a JSON number: integral values without a fraction (`2`), others in shortest round-trip form.
    static func json(_ value: Float) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == value.rounded(), value.magnitude < 16_777_216, !(value == 0 && value.sign == .minus) { return String(Int(value)) }
        return "\(value)"
    }

    private static func float(_ value: CheckpointJSON) -> Float? {
        guard case let .number(text) = value else { return nil }
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return Float(text)
        }
    }

    // MARK: - Validation

    /// What a model expects of one tensor.
    public typealias Expectation = (name: String, shape: [Int], dtype: DType)

    /// Checks that the checkpoint holds exactly the tensors a model expects, with the same shapes and dtypes.
    ///
    /// - Parameters:
    ///   - expected: the model's parameters and buffers, in model order.
    ///   - architecture: the model family being loaded; when given and the metadata records a different family
    ///     (or a different `width`), that is reported first ("checkpoint is resnet20 width 2; asked to load
    ///     mobilenetv2").
    ///   - width: the model's width, compared with the metadata's when both are present.
    ///   - path: the checkpoint file, named in the error.
    /// - Throws: `CondenseError.file(path:, …)` listing every missing tensor, unexpected tensor, shape mismatch
    ///   ("features.3.conv.1.weight: checkpoint has [32, 1, 3, 3], the model expects [16, 1, 3, 3]") and dtype
    ///   mismatch (the first 10, then a count).
    public func validate(against expected: [Expectation], architecture: Architecture? = nil, width: Float? = nil,
                         path: String) throws {
        var problems: [String] = []
        if let architecture, let stored = metadata[Key.architecture] {
            let storedWidth = try metadataFloat(Key.width)
            if stored != architecture.rawValue || (width != nil && storedWidth != nil && width != storedWidth) {
                let asked = architecture.rawValue + (width.map { " width \(Self.json($0))" } ?? "")
                problems.append("checkpoint is \(modelDescription ?? stored); asked to load \(asked)")
            }
        }
        let stored = Dictionary(tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let expectedNames = Set(expected.map(\.name))
        for expectation in expected {
            let shape = Shape(expectation.shape)
            guard let tensor = stored[expectation.name] else {
                problems.append("missing tensor \(expectation.name) (the model expects \(shape) " +
                                "\(expectation.dtype.rawValue))")
                continue
            }
            if tensor.shape != expectation.shape {
                problems.append("\(expectation.name): checkpoint has \(Shape(tensor.shape)), the model expects \(shape)")
            }
            if tensor.dtype != expectation.dtype {
                problems.append("\(expectation.name): checkpoint has \(tensor.dtype.rawValue), the model expects " +
                                "\(expectation.dtype.rawValue)")
            }
        }
        for tensor in tensors where !expectedNames.contains(tensor.name) {
            problems.append("unexpected tensor \(tensor.name) \(Shape(tensor.shape)) \(tensor.dtype.rawValue) " +
                            "(the model has no parameter of that name)")
        }
        guard !problems.isEmpty else { return }
        let shown = problems.prefix(10).joined(separator: "\n  ")
        let more = problems.count > 10 ? "\n  … and \(problems.count - 10) more" : ""
        throw CondenseError.file(path: path, problems.count == 1 ? "does not fit the model: " + shown
                                 : "does not fit the model (\(problems.count) problems):\n  " + shown + more)
    }
}
