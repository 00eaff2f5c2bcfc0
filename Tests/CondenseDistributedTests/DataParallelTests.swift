import CondenseCore
import CondenseData
import CondenseDistributed
import CondenseNN
import CondenseTestSupport
import CondenseTraining
import XCTest

/// Two processes of one job, as `Scripts/check-mpi.sh` starts them (`mpirun -np 2` running this class); in an
/// ordinary test run, where the job is one process, every test is skipped.
final class DataParallelTests: XCTestCase {
    private let group = World.group
    private let backend = TestDevices.cpu

    override func setUpWithError() throws {
        try XCTSkipUnless(group.size == 2, "needs two processes: mpirun -np 2 (Scripts/check-mpi.sh)")
    }

    func testAllreduceSumsIntegerValuedFloatsExactly() throws {
        let count = 1_000_003  // more than one bucket's worth, and odd
        var floats = (0..<count).map { Float($0 % 4096 + 3 * group.rank) }
        try floats.withUnsafeMutableBufferPointer { try group.allreduceSum($0) }
        XCTAssertEqual(floats, (0..<count).map { Float(2 * ($0 % 4096) + 3) })
        var doubles = [Double(group.rank) + 0.5, -1e15]
        try doubles.withUnsafeMutableBufferPointer { try group.allreduceSum($0) }
        XCTAssertEqual(doubles, [2, -2e15])
    }

    func testBroadcastGivesEveryProcessRankZerosBytes() throws {
        var bytes = [UInt8](repeating: UInt8(group.rank + 1), count: 70_001)
        try bytes.withUnsafeMutableBytes { try group.broadcast($0, from: 0) }
        XCTAssertEqual(Set(bytes), [1])
    }

    /// What rank 0 alone decides reaches every process: bytes of rank 0's length (the others offer none), and a
    /// decision that only rank 0 computes while the others do their own part first.
    func testRankZeroDecidesForEveryProcess() throws {
        let bytes = try group.broadcast([UInt8](repeating: 7, count: group.isPrimary ? 70_001 : 3))
        XCTAssertEqual(bytes.count, 70_001)
        XCTAssertEqual(Set(bytes), [7])
        var decided = 0, otherwise = 0
        let decision: [String: Int]? = try group.primaryDecides {
            decided += 1
            return ["rank": group.rank]
        } otherwise: {
            otherwise += 1
        }
        XCTAssertEqual(decision, ["rank": 0])
        XCTAssertEqual([decided, otherwise], group.isPrimary ? [1, 0] : [0, 1])
        let none: String? = try group.primaryDecides { nil }
        XCTAssertNil(none)
    }

    /// With batch norm per process (as DDP), the averaged gradients are those of one process that runs each shard
    /// through the model on its own and weights each shard's mean loss by its share of the batch ("ghost" batch norm).
    func testAveragedGradientsEqualOneProcessComputingBatchNormPerShard() throws {
        let model = try GradientProbe(seed: 1)
        let shards = [GradientProbe.shard(0, batch: 2), GradientProbe.shard(1, batch: 2)]
        XCTAssertEqual(shards.map(\.labels.count), [1, 2], "23 images in batches of 10: the last splits 1 and 2")
        let perShard = try shards.map { batch in
            try model.gradients(of: batch).map { $0.map { $0 * Float(batch.labels.count) / Float(batch.globalCount) } }
        }
        let expected = zip(perShard[0], perShard[1]).map { zip($0, $1).map(+) }
        try model.assertAveragedGradients(of: shards[group.rank], over: group, equal: expected, rtol: 1e-5)
    }

    /// With synchronized batch norm the averaged gradients, and the running statistics, are those of one process
    /// computing on the whole batch: on an even batch (5 and 5 images) and an uneven one (1 and 2).
    func testSynchronizedBatchNormGivesOneProcessOnTheWholeBatch() throws {
        for batch in [0, 2] {
            let whole = try GradientProbe(seed: 2)
            let expected = try whole.gradients(of: GradientProbe.shard(0, of: 1, batch: batch))
            let model = try GradientProbe(seed: 2)
            let averager = try model.assertAveragedGradients(of: GradientProbe.shard(group.rank, batch: batch),
                                                             over: group, equal: expected, rtol: 1e-4,
                                                             synchronizeBatchNorm: true)
            XCTAssertEqual(averager.share, batch == 0 ? 0.5 : Float(group.rank + 1) / 3)
            for ((name, mine), (_, reference)) in zip(model.model.namedBuffers(), whole.model.namedBuffers()) {
                assertClose(try mine.value.toHost(), try reference.value.toHost(), rtol: 1e-4, atol: 1e-6,
                            "batch \(batch) rank \(group.rank): \(name)")
            }
        }
    }

    /// Buckets sent while backward runs (many small ones here, interleaved with synchronized batch norm's own sums
    /// in the backward pass) give the gradients of one process on the whole batch, as sending after backward does.
    func testBucketsSentDuringBackwardGiveOneProcessOnTheWholeBatch() throws {
        let whole = try GradientProbe(seed: 5)
        let expected = try whole.gradients(of: GradientProbe.shard(0, of: 1, batch: 1))
        let model = try GradientProbe(seed: 5)
        let averager = GradientAverager(group: group, bucketBytes: 2 << 10)
        for norm in model.model.descendants.compactMap({ $0 as? BatchNorm2d }) { norm.synchronization = averager }
        let shard = GradientProbe.shard(group.rank, batch: 1)
        averager.share = Float(shard.labels.count) / Float(shard.globalCount)
        let overlapped = try model.gradients(of: shard, averagedBy: averager)
        XCTAssertGreaterThan(GradientAverager.buckets(model.model.namedParameters().map(\.variable.value.count),
                                                      bytes: 2 << 10).count, 10, "many buckets")
        for ((name, _), (mine, reference)) in zip(model.model.namedParameters(), zip(overlapped, expected)) {
            assertClose(mine, reference, rtol: 1e-4, atol: 1e-6, "rank \(group.rank): \(name)")
        }
    }

    /// Evaluation split over the processes gives every process every logit of the split, as one process computes
    /// them, also when the split does not divide evenly.
    func testEvaluationSplitOverProcessesGivesEveryLogit() throws {
        let dataset = DistributedTestData.dataset()
        let model = try ModelFactory.model(.resnet20, width: 0.25, for: dataset, seed: 9, on: backend)
        for split in [dataset.validation, dataset.train] {  // 6 and 23 images
            let alone = try Evaluation.predictions(of: model, on: split, dataset: dataset, batchSize: 4)
            let shared = try Evaluation.predictions(of: model, on: split, dataset: dataset, batchSize: 4, over: group)
            assertClose(shared.logits, alone.logits, rtol: 1e-5, atol: 1e-6, "rank \(group.rank): logits")
            assertClose(shared.probabilities, alone.probabilities, rtol: 1e-5, atol: 1e-6, "rank \(group.rank)")
        }
    }

    /// Processes that start from different weights train to the same ones: rank 0's are broadcast, and every step
    /// applies the same averaged gradients.
    func testTrainingKeepsEveryProcessOnTheSameWeights() throws {
        let dataset = DistributedTestData.dataset()
        let model = try ModelFactory.model(.resnet20, width: 0.25, for: dataset, seed: UInt64(group.rank + 1),
                                           on: backend)
        var options = TrainingOptions()
        options.epochs = 2
        options.batchSize = 8
        _ = try Training.train(model, on: dataset, options: options, checkpointPath: nil)
        for (name, variable) in model.module.namedParameters() + model.module.namedBuffers()
            where variable.value.dtype == .float32 {
            let mine = try variable.value.toHost()
            var sum = mine
            try sum.withUnsafeMutableBufferPointer { try group.allreduceSum($0) }
            XCTAssertEqual(sum, mine.map { $0 * 2 }, "\(name) differs between the processes")
        }
    }
}

/// A small ResNet-20 and the gradients of one batch through it, alone or averaged over a job.
private struct GradientProbe {
    let model: Module
    private let backend = TestDevices.cpu
    private var parameters: [Variable] { model.namedParameters().map(\.variable) }

    init(seed: UInt64) throws {
        model = try ModelConfiguration(architecture: .resnet20, width: 0.25, classes: 3, imageSize: 8)
            .build(on: TestDevices.cpu, seed: seed)
        model.train(true)
    }

    /// Rank `rank`'s shard of batch `batch` of epoch 0: 23 images in batches of 10.
    static func shard(_ rank: Int, of shards: Int = 2, batch: Int) -> Batch {
        let dataset = DistributedTestData.dataset()
        return Array(BatchLoader(dataset.train, of: dataset, batchSize: 10, normalization: Normalization(
            mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25]), shuffle: true, augment: false, seed: 3,
            shard: rank, of: shards).batches(epoch: 0))[batch]
    }

    /// The gradient of the mean cross entropy of `batch`, per parameter; with `averager`, summed over its job,
    /// sent bucket by bucket while backward runs.
    func gradients(of batch: Batch, averagedBy averager: GradientAverager? = nil) throws -> [[Float]] {
        parameters.forEach { $0.zeroGrad() }
        let labels = try backend.allocate([batch.labels.count], dtype: .int32)
        try batch.labels.withUnsafeBytes { try backend.write($0, to: labels) }
        let images = Variable(try backend.tensor(batch.images, shape: Shape(batch.shape)))
        let (loss, tape) = try Tape.record { try crossEntropy(try model(images), labels: labels) }
        if let averager { try averager.backward(tape, from: loss, averaging: parameters) } else {
            try tape.backward(from: loss)
        }
        return try parameters.map { try $0.gradientOrZeros().toHost() }
    }

    /// Computes `shard`'s gradients, averages them over `group` and asserts they equal `expected`.
    @discardableResult
    func assertAveragedGradients(of shard: Batch, over group: any ProcessGroup, equal expected: [[Float]],
                                 rtol: Float, synchronizeBatchNorm: Bool = false,
                                 file: StaticString = #filePath, line: UInt = #line) throws -> GradientAverager {
        let averager = GradientAverager(group: group, bucketBytes: 64 << 10)
        averager.share = Float(shard.labels.count) / Float(shard.globalCount)
        if synchronizeBatchNorm {
            for norm in model.descendants.compactMap({ $0 as? BatchNorm2d }) { norm.synchronization = averager }
        }
        _ = try gradients(of: shard)
        try averager.average(parameters)
        for ((name, parameter), expected) in zip(model.namedParameters(), expected) {
            assertClose(try XCTUnwrap(parameter.grad).toHost(), expected, rtol: rtol, atol: 1e-6,
                        "rank \(group.rank): \(name)", file: file, line: line)
        }
        return averager
    }
}
