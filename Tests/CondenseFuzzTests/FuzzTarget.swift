/// One reader under fuzzing: valid seed files and how to read one input. Adding a reader (PNG, JPEG, DICOM…) is
/// one file conforming to this and one line in `ReaderFuzzTests`.
protocol FuzzTarget: Sendable {
    /// Short name for the report (`npy`, `npz`).
    var name: String { get }
    /// Valid files of the format, each of which `read` must accept.
    func seeds() throws -> [[UInt8]]
    /// Offsets in `seed` of integer fields (lengths, counts, sizes, offsets) the mutator should favour.
    func fieldOffsets(in seed: [UInt8]) -> [Int]
    /// Reads `input` completely, returning when the reader accepts it and throwing when it refuses it.
    func read(_ input: [UInt8]) throws
}

extension FuzzTarget {
    func fieldOffsets(in seed: [UInt8]) -> [Int] { [] }
}
