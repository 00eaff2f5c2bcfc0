import CondenseCore
import CondenseNN
import Dispatch

/// Averages gradients over a process group as PyTorch's DDP does, in buckets: the parameters, in reverse order (the
/// order backward completes their gradients), are grouped into buckets of about `bucketBytes` (the first, which
/// backward completes soonest, of at most 1 MB, so that communication starts early, as in DDP). During the backward
/// pass (`gradientComplete`, called by the tape) a bucket whose gradients are all complete starts copying from the
/// device into a host staging buffer without waiting, and is handed to a communication thread that waits for the
/// copy, weights it and sums it over the group with a blocking `MPI_Allreduce` while backward goes on; `finishStep`
/// sends what is left, waits and writes the sums back. Buckets are sent strictly in order, so every process issues
/// the same collectives in the same order.
///
/// Each process weights its gradients by its `share` of the global batch, so the sum is the gradient of the global
/// batch's mean loss even when a last batch does not split evenly.
///
/// It is also the job synchronized batch norm sums its statistics over (`BatchNormSynchronization`); those sums go
/// through the same communication thread, behind any bucket already sent, for the same reason.
public final class GradientAverager: BatchNormSynchronization {
    public let group: any ProcessGroup
    /// The size a bucket is filled to before it is sent (the last may be smaller; one gradient is never split).
    public let bucketBytes: Int
    /// This process's share of the current global batch (its images ÷ the batch's images); set before each step.
    public var share: Float = 1
    /// Time accounting since the last `resetTimes`.
    public private(set) var times = CommunicationTimes()
    private let communication = DispatchQueue(label: "condense.gradient-allreduce")
    private var layout: BucketLayout?
    private var inFlight: StepInFlight?

    public init(group: any ProcessGroup, bucketBytes: Int = 4 << 20) {
        self.group = group
        self.bucketBytes = max(bucketBytes, 4)
    }

    /// Replaces the gradient of every parameter with the sum over the group of that gradient × `share` (a parameter
    /// no backward pass reached counts as a zero gradient), after the backward pass: nothing overlaps.
    public func average(_ parameters: [Variable]) throws {
        beginStep(parameters)
        try finishStep()
    }

    /// Runs `tape`'s backward pass from `loss`, sending `parameters`' gradients bucket by bucket as they complete,
    /// and returns once every one holds the job's sum (as `average` leaves them).
    public func backward(_ tape: Tape, from loss: Variable, averaging parameters: [Variable]) throws {
        beginStep(parameters)
        try tape.backward(from: loss, gradientComplete: gradientComplete)
        try finishStep()
    }

    /// Starts a step whose gradients of `parameters` backward is about to compute.
    private func beginStep(_ parameters: [Variable]) {
        if layout?.matches(parameters) != true { layout = BucketLayout(parameters, bytes: bucketBytes) }
        inFlight = StepInFlight(remaining: layout!.buckets.map(\.count))
    }

    /// Notes that backward will add nothing more to `variable`'s gradient, and sends every bucket that is now
    /// complete and next in order. Variables that are not among the step's parameters are ignored.
    private func gradientComplete(_ variable: Variable) throws {
        guard let layout, var step = inFlight, let bucket = layout.bucket(of: variable) else { return }
        step.remaining[bucket] -= 1
        inFlight = step
        while let next = inFlight?.nextToSend, next < layout.buckets.count, inFlight!.remaining[next] == 0 {
            try send(next)
        }
    }

    /// Sends the buckets not yet sent, waits for every sum and writes the sums into the gradients.
    private func finishStep() throws {
        guard let layout, let step = inFlight else { return }
        for bucket in step.nextToSend..<layout.buckets.count { try send(bucket) }
        defer { inFlight = nil }
        // A queuing device runs backward's kernels before the last bucket's copy: what is waited for after that copy
        // is communication.
        try inFlight!.sent.last?.staging.waitForCopies()
        let start = Stopwatch.now()
        for (bucket, (staging, done)) in zip(layout.buckets, inFlight!.sent) {
            done.wait()
            times.reducing += staging.reduceSeconds
            try staging.scatter(into: bucket)
        }
        times.exposed += Stopwatch.now() - start
        times.steps += 1
    }

    /// Forgets the time accounting (a benchmark's warm-up steps).
    public func resetTimes() { times = CommunicationTimes() }

    public func sum(_ values: inout [Double]) throws {
        let group = self.group
        try communication.sync { try values.withUnsafeMutableBufferPointer { try group.allreduceSum($0) } }
    }

    /// Starts copying bucket `index`'s gradients to the host and queues their allreduce.
    private func send(_ index: Int) throws {
        let gradients = try layout!.buckets[index].map { try $0.gradientOrZeros() }
        let staging = try StagingBuffer(gathering: gradients, weight: share)
        let group = self.group
        let done = DispatchWorkItem { staging.reduce(over: group) }
        communication.async(execute: done)
        inFlight!.sent.append((staging, done))
        inFlight!.nextToSend = index + 1
    }

    /// `counts` (elements per gradient, in the order they are sent) cut into consecutive runs of about `bytes` each,
    /// the first of about `min(bytes, firstBytes)`: the index ranges of the buckets.
    public static func buckets(_ counts: [Int], bytes: Int, firstBytes: Int = 1 << 20) -> [Range<Int>] {
        var buckets: [Range<Int>] = [], start = 0, filled = 0
        for (index, count) in counts.enumerated() {
            filled += count * 4
            if filled >= (buckets.isEmpty ? min(bytes, firstBytes) : bytes) || index == counts.count - 1 {
                buckets.append(start..<(index + 1))
                (start, filled) = (index + 1, 0)
            }
        }
        return buckets
    }
}

/// Where the training thread's time went on communication: `reducing` is the communication thread's time inside
/// allreduce, `exposed` the training thread's time from the end of backward (on a queuing device, from the end of the
/// last bucket's copy, which follows backward's kernels) until every sum was written back (the communication
/// backward did not hide).
public struct CommunicationTimes: Sendable {
    public var reducing: Double = 0
    public var exposed: Double = 0
    public var steps = 0

    public init() {}
}

/// The parameters of a step in send order (reversed, each once) and the buckets they fall in.
private struct BucketLayout {
    let buckets: [[Variable]]
    private let parameters: [ObjectIdentifier]
    private let bucketOf: [ObjectIdentifier: Int]

    init(_ parameters: [Variable], bytes: Int) {
        var seen = Set<ObjectIdentifier>()
        let ordered = parameters.reversed().filter { seen.insert(ObjectIdentifier($0)).inserted }
        buckets = GradientAverager.buckets(ordered.map(\.value.count), bytes: bytes).map { Array(ordered[$0]) }
        self.parameters = parameters.map(ObjectIdentifier.init)
        var bucketOf: [ObjectIdentifier: Int] = [:]
        for (index, bucket) in buckets.enumerated() { for variable in bucket { bucketOf[ObjectIdentifier(variable)] = index } }
        self.bucketOf = bucketOf
    }

    func matches(_ parameters: [Variable]) -> Bool { self.parameters.elementsEqual(parameters.map(ObjectIdentifier.init)) }
    func bucket(of variable: Variable) -> Int? { bucketOf[ObjectIdentifier(variable)] }
}

/// A step's progress: gradients each bucket still waits for, and the buckets sent so far, in order.
private struct StepInFlight {
    var remaining: [Int]
    var nextToSend = 0
    var sent: [(staging: StagingBuffer, done: DispatchWorkItem)] = []
}

/// One bucket's gradients, side by side in host memory, on their way through the allreduce. The copies from the
/// device are queued without waiting (`Backend.startRead`: on OpenCL a non-blocking read, so backward goes on
/// queuing kernels), and the communication thread waits for them, weights the values and sums them; the sums go back
/// through the backends' writes, which OpenCL queues from a staging copy without waiting either.
private final class StagingBuffer: @unchecked Sendable {
    private let values: UnsafeMutableBufferPointer<Float>
    private let weight: Float
    /// The copies into `values`, waited for before it is read or freed.
    private var reads: [PendingRead] = []
    private var failure: Error?
    /// Seconds `reduce` spent in the allreduce.
    private(set) var reduceSeconds: Double = 0

    /// Queues the copies of the bucket's gradients from their device; each element is then weighted by `weight`.
    init(gathering bucket: [Tensor], weight: Float) throws {
        if let other = bucket.first(where: { $0.dtype != .float32 }) {
            throw CondenseError.dtypeMismatch(op: "allreduce gradients", expected: .float32, got: other.dtype)
        }
        values = .allocate(capacity: bucket.reduce(0) { $0 + $1.count })
        values.initialize(repeating: 0)
        self.weight = weight
        var offset = 0
        for gradient in bucket {
            let destination = UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(
                rebasing: values[offset..<(offset + gradient.count)]))
            reads.append(try gradient.backend.startRead(gradient, into: destination))  // deinit waits if this throws
            offset += gradient.count
        }
    }

    deinit {
        for read in reads { try? read.wait() }
        values.deallocate()
    }

    /// Waits until the bucket's gradients are in `values` (from any thread).
    func waitForCopies() throws {
        for read in reads { try read.wait() }
    }

    /// Waits for the copies, weights the values and sums them over `group` (on the communication thread),
    /// remembering a failure for `scatter`. Every process takes part in the allreduce even after a failed copy, so
    /// no other process waits for it.
    func reduce(over group: any ProcessGroup) {
        do { try waitForCopies() } catch { failure = failure ?? error }
        if weight != 1 { for index in values.indices { values[index] *= weight } }
        let start = Stopwatch.now()
        do { try group.allreduceSum(values) } catch { failure = failure ?? error }
        reduceSeconds = Stopwatch.now() - start
    }

    /// Writes the summed values back into the bucket's gradients.
    func scatter(into bucket: [Variable]) throws {
        if let failure { throw failure }
        var offset = 0
        for gradient in try bucket.map({ try $0.gradientOrZeros() }) {
            try gradient.backend.write(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(
                rebasing: values[offset..<(offset + gradient.count)])), to: gradient)
            offset += gradient.count
        }
    }
}
