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

    /// With batch norm per process (as DDP), the averaged gradients are those of one process that runs each shard
    /// through the model on its own and weights each shard's mean loss by its share of the batch ("ghost" batch norm).
    func testAveragedGradientsEqualOneProcessComputingBatchNormPerShard() throws {
        let dataset = DistributedTestData.dataset()
        let model = try ModelConfiguration(architecture: .resnet20, width: 0.25, classes: 3, imageSize: 8)
            .build(on: backend, seed: 1)
        model.train(true)
        let parameters = model.namedParameters().map(\.variable)
        func shard(_ rank: Int) -> Batch {
            // Batch 1 of epoch 0: 23 images in batches of 10 hold 10, 10, 3; batch 2 splits unevenly (1 and 2).
            Array(BatchLoader(dataset.train, of: dataset, batchSize: 10, normalization: Normalization(
                mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25]), shuffle: true, augment: false, seed: 3,
                shard: rank, of: 2).batches(epoch: 0))[2]
        }
        func gradients(of batch: Batch) throws -> [[Float]] {
            parameters.forEach { $0.zeroGrad() }
            let labels = try backend.allocate([batch.labels.count], dtype: .int32)
            try batch.labels.withUnsafeBytes { try backend.write($0, to: labels) }
            let images = Variable(try backend.tensor(batch.images, shape: Shape(batch.shape)))
            let (loss, tape) = try Tape.record { try crossEntropy(try model(images), labels: labels) }
            try tape.backward(from: loss)
            return try parameters.map { try $0.gradientOrZeros().toHost() }
        }
        let shards = [shard(0), shard(1)]
        XCTAssertEqual(shards.map(\.labels.count), [1, 2])
        let perShard = try shards.map { batch in
            try gradients(of: batch).map { $0.map { $0 * Float(batch.labels.count) / Float(batch.globalCount) } }
        }
        let expected = zip(perShard[0], perShard[1]).map { zip($0, $1).map(+) }

        _ = try gradients(of: shards[group.rank])
        let averager = GradientAverager(group: group, bucketBytes: 64 << 10)
        averager.share = Float(shards[group.rank].labels.count) / 3
        try averager.average(parameters)
        for (index, parameter) in parameters.enumerated() {
            assertClose(try XCTUnwrap(parameter.grad).toHost(), expected[index], rtol: 1e-5, atol: 1e-6,
                        "rank \(group.rank): \(model.namedParameters()[index].name)")
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
