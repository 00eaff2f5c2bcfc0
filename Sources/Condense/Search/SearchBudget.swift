import CondenseCore
import Foundation

/// What a deployed student may cost: the bytes of its INT8 ONNX file, its multiply-adds per image, or its batch-1
/// latency in Condense's integer inference on this machine.
public enum SearchBudget: Equatable, Sendable, CustomStringConvertible {
    case bytes(Int)
    case multiplyAdds(Int)
    case latencyMilliseconds(Double)

    /// Whether a candidate of cost `cost` fits.
    public func admits(_ cost: CandidateCost) -> Bool { amount(of: cost) <= limit }

    /// The budget's number, in its unit.
    public var limit: Double {
        switch self {
        case let .bytes(bytes): Double(bytes)
        case let .multiplyAdds(count): Double(count)
        case let .latencyMilliseconds(milliseconds): milliseconds
        }
    }

    /// The part of `cost` this budget limits, in its unit (infinite when a latency budget meets a cost measured
    /// without latency).
    public func amount(of cost: CandidateCost) -> Double {
        switch self {
        case .bytes: Double(cost.int8Bytes)
        case .multiplyAdds: Double(cost.multiplyAdds)
        case .latencyMilliseconds: cost.latencyMilliseconds ?? .infinity
        }
    }

    /// Whether the cost must include a latency measurement.
    public var needsLatency: Bool {
        if case .latencyMilliseconds = self { return true }
        return false
    }

    /// The error for a budget none of `candidates` met, naming the cheapest of them.
    public func unmeetable(_ candidates: [SearchCandidate]) -> CondenseError {
        let smallest = candidates.min { amount(of: $0.cost) < amount(of: $1.cost) }.map {
            let value = amount(of: $0.cost)
            let text = value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.3f", value)
            return "the smallest cost found was \(text) (\($0.key))"
        } ?? "no candidate was measured"
        return .invalidArgument(op: "search", "no candidate meets the budget of \(self): \(smallest) after " +
                                "\(candidates.count) candidates; raise the budget, allow more --trials or time, or " +
                                "search a smaller --student family or width")
    }

    /// The unit's name, for tables and chart axes.
    public var unit: String {
        switch self {
        case .bytes: "INT8 ONNX bytes"
        case .multiplyAdds: "multiply-adds per image"
        case .latencyMilliseconds: "batch-1 latency, ms (integer inference)"
        }
    }

    /// The JSON key of the budget (`budget_bytes`, `budget_macs`, `budget_latency_ms`).
    public var key: String {
        switch self {
        case .bytes: "budget_bytes"
        case .multiplyAdds: "budget_macs"
        case .latencyMilliseconds: "budget_latency_ms"
        }
    }

    public var description: String {
        switch self {
        case let .bytes(bytes): "\(bytes) bytes of INT8 ONNX"
        case let .multiplyAdds(count): "\(count) multiply-adds per image"
        case let .latencyMilliseconds(milliseconds): "\(milliseconds) ms per image at batch 1"
        }
    }
}

/// A candidate's cost, each figure computed from the model itself: the size of the INT8 ONNX file the real writer
/// produces for it (serialized in memory, nothing written), its multiply-adds per image in the inference graph,
/// and — when a latency budget asks for it — the median batch-1 latency of its integer inference on this machine.
public struct CandidateCost: Codable, Equatable, Sendable {
    public var int8Bytes: Int
    public var multiplyAdds: Int
    public var latencyMilliseconds: Double?
    /// Parameters of the float model.
    public var parameters: Int

    public init(int8Bytes: Int, multiplyAdds: Int, latencyMilliseconds: Double? = nil, parameters: Int) {
        self.int8Bytes = int8Bytes
        self.multiplyAdds = multiplyAdds
        self.latencyMilliseconds = latencyMilliseconds
        self.parameters = parameters
    }

    enum CodingKeys: String, CodingKey {
        case int8Bytes = "int8_bytes", multiplyAdds = "macs", latencyMilliseconds = "latency_ms", parameters
    }
}
