import CondenseCore
import CondenseNN
import Dispatch

/// Averages gradients over a process group as PyTorch's DDP does, in buckets: the gradients, in reverse parameter
/// order (the order backward completes them), are packed into host staging buffers of about `bucketBytes`; each
/// bucket, once copied from the device and weighted, goes to a communication thread that sums it over the group
/// with a blocking `MPI_Allreduce` while the next bucket is copied; the sums are then written back.
///
/// Each process weights its gradients by its `share` of the global batch, so the sum is the gradient of the global
/// batch's mean loss even when a last batch does not split evenly.
///
/// It is also the job synchronized batch norm sums its statistics over (`BatchNormSynchronization`).
public final class GradientAverager: BatchNormSynchronization {
    public let group: any ProcessGroup
    /// The size a bucket is filled to before it is sent (the last may be smaller; one gradient is never split).
    public let bucketBytes: Int
    /// This process's share of the current global batch (its images ÷ the batch's images); set before each step.
    public var share: Float = 1
    private let communication = DispatchQueue(label: "condense.gradient-allreduce")

    public init(group: any ProcessGroup, bucketBytes: Int = 4 << 20) {
        self.group = group
        self.bucketBytes = max(bucketBytes, 4)
    }

    /// Replaces the gradient of every parameter with the sum over the group of that gradient × `share` (a parameter
    /// no backward pass reached counts as a zero gradient).
    public func average(_ parameters: [Variable]) throws {
        var seen = Set<ObjectIdentifier>()
        let gradients = try parameters.reversed().map { try $0.gradientOrZeros() }
            .filter { seen.insert(ObjectIdentifier($0)).inserted }  // a tensor shared by two parameters goes once
        var sent: [(bucket: ArraySlice<Tensor>, staging: StagingBuffer, done: DispatchWorkItem)] = []
        for bucket in Self.buckets(gradients, bytes: bucketBytes) {
            let staging = try StagingBuffer(gathering: bucket, weight: share)
            let group = self.group
            let done = DispatchWorkItem { staging.reduce(over: group) }
            communication.async(execute: done)
            sent.append((bucket, staging, done))
        }
        for (bucket, staging, done) in sent {
            done.wait()
            try staging.scatter(into: bucket)
        }
    }

    public func sum(_ values: inout [Double]) throws {
        try values.withUnsafeMutableBufferPointer { try group.allreduceSum($0) }
    }

    /// `gradients` cut into consecutive runs of about `bytes` each.
    public static func buckets(_ gradients: [Tensor], bytes: Int) -> [ArraySlice<Tensor>] {
        var buckets: [ArraySlice<Tensor>] = [], start = 0, filled = 0
        for (index, gradient) in gradients.enumerated() {
            filled += gradient.count * 4
            if filled >= bytes || index == gradients.count - 1 {
                buckets.append(gradients[start...index])
                (start, filled) = (index + 1, 0)
            }
        }
        return buckets
    }
}

/// One bucket's gradients, side by side in host memory, on their way through the allreduce.
private final class StagingBuffer: @unchecked Sendable {
    private var values: [Float]
    private var failure: Error?

    /// The bucket's gradients copied from their device, each element × `weight`.
    init(gathering bucket: ArraySlice<Tensor>, weight: Float) throws {
        if let other = bucket.first(where: { $0.dtype != .float32 }) {
            throw CondenseError.dtypeMismatch(op: "allreduce gradients", expected: .float32, got: other.dtype)
        }
        values = [Float](repeating: 0, count: bucket.reduce(0) { $0 + $1.count })
        var offset = 0
        try values.withUnsafeMutableBytes { raw in
            for gradient in bucket {
                try gradient.backend.read(gradient, into: UnsafeMutableRawBufferPointer(
                    rebasing: raw[(offset * 4)..<((offset + gradient.count) * 4)]))
                offset += gradient.count
            }
        }
        if weight != 1 { for index in values.indices { values[index] *= weight } }
    }

    /// Sums the values over `group` (on the communication thread), remembering a failure for `scatter`.
    func reduce(over group: any ProcessGroup) {
        do { try values.withUnsafeMutableBufferPointer { try group.allreduceSum($0) } } catch { failure = error }
    }

    /// Writes the summed values back into the bucket's gradients.
    func scatter(into bucket: ArraySlice<Tensor>) throws {
        if let failure { throw failure }
        var offset = 0
        try values.withUnsafeBytes { raw in
            for gradient in bucket {
                try gradient.backend.write(UnsafeRawBufferPointer(
                    rebasing: raw[(offset * 4)..<((offset + gradient.count) * 4)]), to: gradient)
                offset += gradient.count
            }
        }
    }
}
