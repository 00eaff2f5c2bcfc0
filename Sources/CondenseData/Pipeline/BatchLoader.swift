import Dispatch

/// One batch on the host: float32 NCHW images, normalized, int32 labels, and which samples of the split they are.
public struct Batch: Sendable {
    public let images: [Float]
    public let labels: [Int32]
    public let shape: [Int]
    /// The samples' indices in their split, in batch order (what per-sample caches are keyed by).
    public let indices: [Int]
    /// Images in the whole batch this one is a shard of (its own count when the loader is not sharded).
    public let globalCount: Int
}

/// Batches of one split: shuffled per epoch from a seed (the same order on every run), optionally augmented with
/// a random crop from a zero-padded image and a horizontal flip, normalized per channel. The next batch is prepared
/// on a background queue while the caller works on the current one; results do not depend on timing.
///
/// Sharded for data-parallel training (`shard` of `shards` processes), every process draws the same order and takes
/// its contiguous part of every batch (near-equal parts; a last batch with fewer images than processes is dropped),
/// and the augmentation of an image depends only on the seed, the epoch and the image, never on who loads it.
public struct BatchLoader: Sendable {
    public let split: ImageSplit
    public let channels: Int, height: Int, width: Int
    public let batchSize: Int
    public let normalization: Normalization
    /// Zero padding before the random crop (0: no crop).
    public let cropPadding: Int
    public let flip: Bool
    public let shuffle: Bool
    public let seed: UInt64
    /// This process's part of every batch, and how many parts there are.
    public let shard: Int, shards: Int

    /// `batchSize` is the batch of all `shards` together.
    public init(_ split: ImageSplit, of dataset: ImageDataset, batchSize: Int, normalization: Normalization,
                shuffle: Bool, augment: Bool, cropPadding: Int? = nil, seed: UInt64, shard: Int = 0, of shards: Int = 1) {
        self.split = split
        (channels, height, width) = (dataset.channels, dataset.height, dataset.width)
        self.batchSize = max(batchSize, 1)
        self.normalization = normalization
        self.cropPadding = augment ? cropPadding ?? max(2, dataset.height / 8) : 0
        flip = augment
        self.shuffle = shuffle
        self.seed = seed
        self.shards = max(shards, 1)
        self.shard = min(max(shard, 0), self.shards - 1)
    }

    /// Batches per epoch (the last one may be smaller).
    public var batchCount: Int { split.count / batchSize + (split.count % batchSize >= shards ? 1 : 0) }

    /// The sample order of `epoch`.
    public func order(epoch: Int) -> [Int] {
        guard shuffle else { return Array(0..<split.count) }
        var generator = SplitMix(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15)
        return Array(0..<split.count).shuffled(using: &generator)
    }

    /// The batches of `epoch`, each prepared one step ahead on a background queue.
    public func batches(epoch: Int) -> AnyIterator<Batch> {
        let order = order(epoch: epoch), loader = self
        let queue = DispatchQueue(label: "condense.batch-prefetch")
        var index = 0
        var pending: DispatchWorkItem?
        var prepared: Batch?
        func schedule(_ batchIndex: Int) {
            guard batchIndex < loader.batchCount else { pending = nil; return }
            let item = DispatchWorkItem { prepared = loader.batch(batchIndex, order: order, epoch: epoch) }
            pending = item
            queue.async(execute: item)
        }
        schedule(0)
        return AnyIterator {
            guard let item = pending else { return nil }
            item.wait()
            let batch = prepared
            index += 1
            schedule(index)
            return batch
        }
    }

    /// Batch `index` of `order`, augmented with randomness that depends only on (seed, epoch, sample).
    func batch(_ index: Int, order: [Int], epoch: Int) -> Batch {
        let whole = order[(index * batchSize)..<min((index + 1) * batchSize, order.count)]
        let members = whole[(whole.startIndex + whole.count * shard / shards)..<(whole.startIndex + whole.count *
                                                                                   (shard + 1) / shards)]
        let plane = height * width, imageSize = channels * plane
        var images = [Float](repeating: 0, count: members.count * imageSize)
        var labels: [Int32] = []
        labels.reserveCapacity(members.count)
        let scale = normalization.std.map { 1 / (255 * $0) }, shift = zip(normalization.mean, normalization.std).map { -$0 / $1 }
        for (row, sample) in members.enumerated() {
            labels.append(split.labels[sample])
            var generator = SplitMix(seed: seed ^ UInt64(epoch &* 1_000_003 &+ sample) &* 0xD1B5_4A32_D192_ED03)
            let dy = cropPadding > 0 ? Int(generator.next() % UInt64(2 * cropPadding + 1)) - cropPadding : 0
            let dx = cropPadding > 0 ? Int(generator.next() % UInt64(2 * cropPadding + 1)) - cropPadding : 0
            let mirrored = flip && generator.next() & 1 == 1
            for c in 0..<channels {
                let source = (sample * channels + c) * plane, target = (row * channels + c) * plane
                for y in 0..<height {
                    let sy = y + dy
                    for x in 0..<width {
                        let sx = (mirrored ? width - 1 - x : x) + dx
                        let inside = sy >= 0 && sy < height && sx >= 0 && sx < width
                        let pixel = inside ? Float(split.pixels[source + sy * width + sx]) : 0
                        images[target + y * width + x] = pixel * scale[c] + shift[c]
                    }
                }
            }
        }
        return Batch(images: images, labels: labels, shape: [members.count, channels, height, width],
                     indices: Array(members), globalCount: whole.count)
    }
}

/// SplitMix64: the loader's small, seedable generator.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
