import CondenseData
import XCTest

/// A sharded loader: the processes' shards of every batch put together are the one-process batch, in order, with
/// the same augmentation, and a last batch too small to give every process an image is dropped.
final class BatchShardingTests: XCTestCase {
    private let dataset = DistributedTestData.dataset()

    private func loader(shard: Int = 0, of shards: Int = 1, batchSize: Int = 8) -> BatchLoader {
        BatchLoader(dataset.train, of: dataset, batchSize: batchSize, normalization: Normalization(mean: [0.5, 0.4, 0.3],
                    std: [0.2, 0.25, 0.3]), shuffle: true, augment: true, seed: 5, shard: shard, of: shards)
    }

    func testShardsOfEveryBatchConcatenateToTheWholeBatch() {
        for shards in [2, 3] {
            let whole = Array(loader().batches(epoch: 1))
            let parts = (0..<shards).map { Array(loader(shard: $0, of: shards).batches(epoch: 1)) }
            XCTAssertEqual(whole.count, 3, "23 images in batches of 8")
            for (index, batch) in whole.enumerated() {
                let shardsOfBatch = parts.map { $0[index] }
                XCTAssertEqual(shardsOfBatch.flatMap(\.indices), batch.indices, "\(shards) shards, batch \(index)")
                XCTAssertEqual(shardsOfBatch.flatMap(\.labels), batch.labels)
                XCTAssertEqual(shardsOfBatch.flatMap(\.images), batch.images, "augmentation independent of the shard")
                XCTAssertEqual(Set(shardsOfBatch.map(\.globalCount)), [batch.labels.count])
                let counts = shardsOfBatch.map(\.labels.count)
                XCTAssertLessThanOrEqual(counts.max()! - counts.min()!, 1, "near-equal shards: \(counts)")
            }
        }
    }

    func testALastBatchSmallerThanTheProcessCountIsDropped() {
        // 23 = 2 × 10 + 3: three images cannot feed four processes, so all of them skip that batch.
        XCTAssertEqual(loader(batchSize: 10).batchCount, 3)
        XCTAssertEqual(loader(shard: 1, of: 3, batchSize: 10).batchCount, 3)
        XCTAssertEqual(loader(shard: 3, of: 4, batchSize: 10).batchCount, 2)
        XCTAssertEqual(Array(loader(shard: 3, of: 4, batchSize: 10).batches(epoch: 0)).count, 2)
    }
}
