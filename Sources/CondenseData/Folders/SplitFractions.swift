/// How a folder without split folders is divided (`--data-split 0.8,0.1,0.1`): the fractions of each class that go
/// to training, validation and test. When only `val` is missing, the validation fraction of the training images is
/// split off instead.
public struct SplitFractions: Sendable, Hashable, CustomStringConvertible {
    public let train: Double, validation: Double, test: Double

    /// 0.8, 0.1, 0.1.
    public static let standard = SplitFractions(train: 0.8, validation: 0.1, test: 0.1)!

    /// Three fractions, each in (0, 1), summing to 1 within 1e-6.
    public init?(train: Double, validation: Double, test: Double) {
        let parts = [train, validation, test]
        guard parts.allSatisfy({ $0 > 0 && $0 < 1 }), abs(parts.reduce(0, +) - 1) <= 1e-6 else { return nil }
        self.train = train
        self.validation = validation
        self.test = test
    }

    /// Parses `T,V,E`.
    public init?(parsing text: String) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) }
        guard parts.count == 3, let train = parts[0], let validation = parts[1], let test = parts[2] else { return nil }
        self.init(train: train, validation: validation, test: test)
    }

    public var description: String { "\(train),\(validation),\(test)" }
}
