import CondenseCore
import CondenseNN
import Foundation

/// What a sensitivity analysis measured: the baseline accuracy and, for each prunable layer, the accuracy with
/// that layer alone pruned at each ratio. Stored as JSON (`{"layers":[{"name":…,"ratios":[…],"accuracy":[…]}],
/// "baseline_accuracy":…, "structured":…}`), the object `condense sensitivity --json` prints and `--out` writes.
public struct SensitivityProfile: Codable, Equatable, Sendable {
    /// One layer's sweep.
    public struct Layer: Codable, Equatable, Sendable {
        /// A channel group's ranking conv (structured) or a weight tensor's name (unstructured).
        public var name: String
        public var ratios: [Double]
        public var accuracy: [Double]

        public init(name: String, ratios: [Double], accuracy: [Double]) {
            self.name = name
            self.ratios = ratios
            self.accuracy = accuracy
        }
    }

    public var layers: [Layer]
    public var baselineAccuracy: Double
    /// Channel groups (true) or individual weights (false) were pruned.
    public var structured: Bool

    public init(layers: [Layer], baselineAccuracy: Double, structured: Bool) {
        self.layers = layers
        self.baselineAccuracy = baselineAccuracy
        self.structured = structured
    }

    enum CodingKeys: String, CodingKey {
        case layers, structured
        case baselineAccuracy = "baseline_accuracy"
    }

    /// The JSON text (sorted keys).
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Writes the JSON atomically.
    public func write(to path: String) throws { try AtomicFileWriter.write(Array(try json()), to: path) }

    /// Reads a profile written by `write(to:)` or printed by `condense sensitivity --json` (extra keys ignored),
    /// checking that every layer has as many accuracies as ratios, all ratios in [0, 1).
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CondenseError.file(path: path, "cannot read the sensitivity file")
        }
        let text = String(decoding: data, as: UTF8.self)
        let lastLine = text.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
        do {
            self = try JSONDecoder().decode(Self.self, from: Data(lastLine.utf8))
        } catch {
            throw CondenseError.file(path: path, "expected a JSON object with 'layers' (name, ratios, accuracy), " +
                                     "'baseline_accuracy' and 'structured', as condense sensitivity writes: \(error)")
        }
        for layer in layers where layer.ratios.count != layer.accuracy.count || layer.ratios.isEmpty
            || !layer.ratios.allSatisfy({ $0 >= 0 && $0 < 1 }) {
            throw CondenseError.file(path: path, "layer '\(layer.name)': expected equally many ratios (in [0, 1)) " +
                                     "and accuracies, got \(layer.ratios.count) and \(layer.accuracy.count)")
        }
    }
}
