import Foundation

/// What rank 0 alone decides or writes, handed to every process: a job whose processes share one output folder lets
/// rank 0 take the decisions that depend on the folder (which stages are done) and write the files, and the others
/// take its answer, which also tells them that everything rank 0 wrote before sending it is in place.
extension ProcessGroup {
    /// Rank `root`'s `bytes` on every process: their count, then the bytes. One process returns `bytes` as they are.
    public func broadcast(_ bytes: [UInt8], from root: Int = 0) throws -> [UInt8] {
        guard size > 1 else { return bytes }
        var count = UInt64(rank == root ? bytes.count : 0)
        try withUnsafeMutableBytes(of: &count) { try broadcast($0, from: root) }
        var received = rank == root ? bytes : [UInt8](repeating: 0, count: Int(count))
        try received.withUnsafeMutableBytes { try broadcast($0, from: root) }
        return received
    }

    /// Rank 0's `value()` on every process: only rank 0 calls `value`; the others call `otherwise` (their part of
    /// the same work, if any) and then wait for rank 0's answer, sent as JSON, so whatever rank 0 reads or writes on
    /// the way is done once and in place when the others go on. One process just returns `value()`.
    public func primaryDecides<Value: Codable>(_ value: () throws -> Value,
                                               otherwise: () throws -> Void = {}) throws -> Value {
        guard size > 1 else { return try value() }
        if !isPrimary { try otherwise() }
        let bytes = try broadcast(isPrimary ? Array(JSONEncoder().encode(try value())) : [])
        return try JSONDecoder().decode(Value.self, from: Data(bytes))
    }

    /// Returns on every process once rank 0 has called it: what the others do before they read a file rank 0 wrote.
    public func waitForPrimary() throws {
        _ = try broadcast([])
    }
}
