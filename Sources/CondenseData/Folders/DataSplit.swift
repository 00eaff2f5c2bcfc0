/// A split the import draws (class folders without split folders, or `train/` without `val/`): its fractions and
/// seed. Its text, `0.8,0.1,0.1 seed 0`, is what the import prints and a trained checkpoint records (`data_split`),
/// so that a later command on the same folder scores the same test images.
public struct DataSplit: Sendable, Hashable, CustomStringConvertible {
    public var fractions: SplitFractions
    public var seed: UInt64

    /// 0.8, 0.1, 0.1, seed 0.
    public static let standard = DataSplit(fractions: .standard, seed: 0)

    public init(fractions: SplitFractions, seed: UInt64) {
        self.fractions = fractions
        self.seed = seed
    }

    /// Parses the text `description` writes.
    public init?(parsing text: String) {
        let parts = text.split(separator: " ")
        guard parts.count == 3, parts[1] == "seed", let fractions = SplitFractions(parsing: String(parts[0])),
              let seed = UInt64(parts[2]) else { return nil }
        self.init(fractions: fractions, seed: seed)
    }

    public var description: String { "\(fractions) seed \(seed)" }
}
