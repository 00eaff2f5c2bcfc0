import CondenseData
import CondenseTestSupport

/// A small random RGB dataset, the same in every process of a job (seeded).
enum DistributedTestData {
    static func dataset(train: Int = 23, side: Int = 8, classes: Int = 3) -> ImageDataset {
        var random = SeededGenerator(seed: 11)
        func split(_ count: Int) -> ImageSplit {
            ImageSplit(pixels: (0..<(count * 3 * side * side)).map { _ in UInt8.random(in: 0...255, using: &random) },
                       labels: (0..<count).map { Int32($0 % classes) })
        }
        return ImageDataset(name: "random", channels: 3, height: side, width: side,
                            classNames: (0..<classes).map { "class \($0)" }, train: split(train),
                            validation: split(6), test: split(6))
    }
}
