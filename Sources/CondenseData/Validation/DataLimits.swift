import CondenseCore

/// The bounds every data reader checks a number read from a file against, before that number sizes memory or a
/// loop. One value of this type travels with each load (`.standard` unless a caller, such as the fuzz tests,
/// passes a tighter one), so the limits are stated here and nowhere else.
public struct DataLimits: Sendable {
    /// Most classes a dataset may have (labels 0…maximumClasses − 1). 1,000 is ImageNet's count; medical
    /// classification sets have tens. A larger label is almost always a corrupt or stray value.
    public var maximumClasses: Int
    /// Longest image side in pixels (height and width each).
    public var maximumImageSide: Int
    /// Most bytes one load may hold at once: the decoded arrays plus the copies made while converting them.
    /// `.standard` uses the memory the system reports available right now.
    public var maximumDatasetBytes: Int
    /// Longest `.npy` header dictionary in bytes (NumPy writes a few hundred and reads at most 10,000 by default).
    public var maximumNPYHeaderBytes: Int
    /// Most dimensions of an `.npy` shape (NumPy's own limit is 64).
    public var maximumNPYDimensions: Int
    /// Most members of a ZIP archive (a MedMNIST `.npz` has six).
    public var maximumZipMembers: Int
    /// Largest ZIP central directory in bytes.
    public var maximumZipDirectoryBytes: Int
    /// Largest ratio of a deflated member's uncompressed size to its compressed size (deflate cannot exceed
    /// 1,032:1), checked before anything is allocated for the member.
    public var maximumCompressionRatio: Int

    public init(maximumClasses: Int = 1_000, maximumImageSide: Int = 4_096, maximumDatasetBytes: Int,
                maximumNPYHeaderBytes: Int = 65_536, maximumNPYDimensions: Int = 64, maximumZipMembers: Int = 10_000,
                maximumZipDirectoryBytes: Int = 16 << 20, maximumCompressionRatio: Int = 1_032) {
        self.maximumClasses = maximumClasses
        self.maximumImageSide = maximumImageSide
        self.maximumDatasetBytes = maximumDatasetBytes
        self.maximumNPYHeaderBytes = maximumNPYHeaderBytes
        self.maximumNPYDimensions = maximumNPYDimensions
        self.maximumZipMembers = maximumZipMembers
        self.maximumZipDirectoryBytes = maximumZipDirectoryBytes
        self.maximumCompressionRatio = maximumCompressionRatio
    }

    /// The defaults above, with the dataset budget set to the memory available now (`MemAvailable`).
    public static var standard: DataLimits { DataLimits(maximumDatasetBytes: AvailableMemory.bytes()) }

    /// A "needs N bytes" error when `bytes` exceeds the dataset budget; `what` names the file or field.
    func checkMemory(_ bytes: Int, for what: String, path: String) throws {
        guard bytes > maximumDatasetBytes else { return }
        throw CondenseError.file(path: path, "\(what) needs \(bytes) bytes of memory, more than the " +
                                             "\(maximumDatasetBytes) bytes available for data")
    }
}
