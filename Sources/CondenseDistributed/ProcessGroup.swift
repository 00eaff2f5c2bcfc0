import Foundation

/// The processes one job runs on, numbered 0..<size, and the collectives data-parallel training needs. Every
/// process of the group must make the same calls in the same order (MPI's rule); a call returns once every process
/// has made it.
public protocol ProcessGroup: AnyObject, Sendable {
    /// This process's number; rank 0 prints, writes files and is the source of broadcasts.
    var rank: Int { get }
    /// How many processes the job has.
    var size: Int { get }
    /// Replaces each element of `values` with its sum over every process.
    func allreduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws
    /// Replaces each element of `values` with its sum over every process.
    func allreduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws
    /// Overwrites `bytes` on every process with rank `root`'s.
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) throws
    /// Ends every process of the job with exit status `code`, at once: what a failing process does so that the
    /// others do not wait for it in a collective.
    func abort(_ code: Int32) -> Never
}

extension ProcessGroup {
    /// Whether this process is rank 0, the one that prints and writes.
    public var isPrimary: Bool { rank == 0 }
}

/// A job of one process: the collectives are the identity, and nothing is initialized.
public final class SingleProcess: ProcessGroup {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allreduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws {}
    public func allreduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws {}
    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) throws {}
    public func abort(_ code: Int32) -> Never { exit(code) }
}
