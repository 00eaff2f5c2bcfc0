import CondenseCore
import Foundation

/// `search.json`: the settings, every measured candidate, the Pareto front, the fully trained candidates with the
/// proxy's rank correlation, and the chosen model. Rewritten (atomically) after every candidate, so a rerun in the
/// folder reads back what was measured.
public struct SearchDocument: Codable, Equatable, Sendable {
    /// The chosen model: the fully trained candidate within the budget with the best validation accuracy.
    public struct Chosen: Codable, Equatable, Sendable {
        public var key: String
        public var architecture: CandidateArchitecture
        public var checkpoint: String
        public var int8Bytes: Int
        public var testAccuracy: Double
        /// The deployment files written beside `search.json`.
        public var exports: [String]

        enum CodingKeys: String, CodingKey {
            case key, architecture, checkpoint, exports
            case int8Bytes = "int8_bytes", testAccuracy = "test_accuracy"
        }
    }

    public var settings: [String: String]
    public var candidates: [SearchCandidate] = []
    /// Keys of the candidates no other beats on both cost and proxy accuracy, cheapest first.
    public var pareto: [String] = []
    public var full: [FullTrainingRecord] = []
    /// Spearman's rank correlation of proxy and full test accuracy over `full` (nil with fewer than two).
    public var spearman: Double?
    public var chosen: Chosen?
    public var wallSeconds = 0.0

    enum CodingKeys: String, CodingKey {
        case settings, candidates, pareto, full, spearman, chosen
        case wallSeconds = "wall_s"
    }

    /// The document at `path`, nil when there is none; a file that is not one is an error naming it.
    public static func read(_ path: String) throws -> SearchDocument? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(SearchDocument.self, from: data)
        } catch {
            throw CondenseError.file(path: path, "is not a search record written by condense search (\(error)); " +
                                     "choose another --out folder or delete this file to start over")
        }
    }

    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFileWriter.write(Array(try encoder.encode(self)), to: path)
    }
}

extension SearchBudget {
    /// The keys of `candidates` on the Pareto front of cost (this budget's measure) against proxy accuracy,
    /// cheapest first.
    public func paretoFront(_ candidates: [SearchCandidate]) -> [String] {
        var front: [String] = []
        var best = -Double.infinity
        for candidate in candidates.sorted(by: {
            (amount(of: $0.cost), -$0.proxyAccuracy) < (amount(of: $1.cost), -$1.proxyAccuracy)
        }) where candidate.proxyAccuracy > best {
            front.append(candidate.key)
            best = candidate.proxyAccuracy
        }
        return front
    }
}
