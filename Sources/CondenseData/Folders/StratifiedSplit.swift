/// Assigns the catalog's images without a split to train, validation and test, class by class, so each split holds
/// every class in the proportions asked. Each class's images (sorted by path) are shuffled by a seeded Fisher–Yates
/// of our own, so the same files, fractions and seed give the same split on any machine and Swift version; the first
/// `round(n·test)` go to test, the next `round(n·val)` to validation, the rest to training, and a class of at least
/// three images gives at least one to each split.
enum StratifiedSplit {
    static func assign(_ catalog: ImageCatalog, split: DataSplit) -> [ImageCatalog.SplitName] {
        let fractions = split.fractions
        var splits = catalog.entries.map { $0.split ?? .train }
        let hasValidation = catalog.entries.contains { $0.split == .val }
        let presplit = catalog.entries.contains { $0.split != nil }
        var generator = SplitMix(seed: split.seed)
        for label in catalog.classNames.indices {
            var members = catalog.entries.indices.filter {
                catalog.entries[$0].label == label && (catalog.entries[$0].split ?? .train) == .train
            }
            for i in stride(from: members.count - 1, to: 0, by: -1) {
                members.swapAt(i, Int(generator.next() % UInt64(i + 1)))
            }
            let n = members.count
            let (validation, test): (Int, Int)
            if presplit {  // only val is missing: split it off the training images
                validation = hasValidation ? 0 : share(n, fractions.validation / (fractions.train + fractions.validation))
                test = 0
            } else {
                test = share(n, fractions.test)
                validation = min(share(n, fractions.validation), n - test - 1)
            }
            for (rank, index) in members.enumerated() where rank < test + validation {
                splits[index] = rank < test ? .test : .val
            }
        }
        return splits
    }

    /// `round(n·fraction)`, at least 1 when n ≥ 3 and at most n − 1 (one image always stays for training).
    private static func share(_ n: Int, _ fraction: Double) -> Int {
        let rounded = Int((Double(n) * fraction).rounded())
        return max(n >= 3 ? 1 : 0, min(rounded, n - 1))
    }
}
