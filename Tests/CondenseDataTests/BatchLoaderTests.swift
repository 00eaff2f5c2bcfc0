import CondenseData
import XCTest

/// Batching: every sample once per epoch, deterministic order and augmentation, normalization applied.
final class BatchLoaderTests: XCTestCase {
    private let dataset: ImageDataset = {
        let count = 10, pixels = (0..<(count * 2 * 4 * 4)).map { UInt8($0 % 251) }
        let split = ImageSplit(pixels: pixels, labels: (0..<count).map { Int32($0) })
        return ImageDataset(name: "toy", channels: 2, height: 4, width: 4, classNames: ["a", "b"], train: split,
                            validation: split, test: split)
    }()
    private let normalization = Normalization(mean: [0.5, 0.25], std: [0.5, 0.25])

    func testEveryEpochCoversEverySampleOnceInASeededOrder() {
        let loader = BatchLoader(dataset.train, of: dataset, batchSize: 3, normalization: normalization, shuffle: true,
                                 augment: true, seed: 42)
        let epoch0 = Array(loader.batches(epoch: 0)), again = Array(loader.batches(epoch: 0))
        XCTAssertEqual(epoch0.map(\.labels.count), [3, 3, 3, 1])
        XCTAssertEqual(epoch0.flatMap(\.labels).sorted(), (0..<10).map { Int32($0) })
        XCTAssertEqual(epoch0.flatMap(\.labels), again.flatMap(\.labels))
        XCTAssertEqual(epoch0.flatMap(\.images), again.flatMap(\.images), "augmentation depends on the seed only")
        XCTAssertNotEqual(epoch0.flatMap(\.labels), Array(loader.batches(epoch: 1)).flatMap(\.labels))
    }

    func testWithoutAugmentationPixelsAreNormalizedInPlace() {
        let loader = BatchLoader(dataset.test, of: dataset, batchSize: 4, normalization: normalization, shuffle: false,
                                 augment: false, seed: 0)
        let first = Array(loader.batches(epoch: 0))[0]
        XCTAssertEqual(first.shape, [4, 2, 4, 4])
        XCTAssertEqual(first.labels, [0, 1, 2, 3])
        // Sample 0, channel 1, pixel 0 is byte 16: (16/255 − 0.25)/0.25.
        XCTAssertEqual(first.images[16], (16.0 / 255 - 0.25) / 0.25, accuracy: 1e-6)
        XCTAssertEqual(first.images[0], (0 - 0.5) / 0.5, accuracy: 1e-6)
    }

    func testWithoutCropPaddingAugmentationOnlyMirrors() {
        let plain = Array(BatchLoader(dataset.train, of: dataset, batchSize: 10, normalization: normalization,
                                      shuffle: false, augment: false, seed: 0).batches(epoch: 0))[0]
        let flipped = Array(BatchLoader(dataset.train, of: dataset, batchSize: 10, normalization: normalization,
                                        shuffle: false, augment: true, cropPadding: 0, seed: 7).batches(epoch: 0))[0]
        var mirrored = 0
        for sample in 0..<10 {
            let image = Array(flipped.images[(sample * 32)..<((sample + 1) * 32)])
            let original = Array(plain.images[(sample * 32)..<((sample + 1) * 32)])
            // Each row of 4 pixels reversed, in both channels.
            let mirror = stride(from: 0, to: 32, by: 4).flatMap { original[$0..<($0 + 4)].reversed() }
            XCTAssertTrue(image == original || image == mirror, "sample \(sample) is neither itself nor its mirror")
            mirrored += image == mirror ? 1 : 0
        }
        XCTAssertTrue((1...9).contains(mirrored), "a seeded coin flips some images and keeps others (\(mirrored) of 10)")
    }
}
