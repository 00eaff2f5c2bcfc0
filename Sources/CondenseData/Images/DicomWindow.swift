/// A DICOM VOI window, in the units after the Modality LUT (Hounsfield units for CT): pixels from
/// `center − width/2` to `center + width/2` are spread over black to white (`--window C,W`).
public struct DicomWindow: Sendable, Hashable {
    public let center: Double, width: Double

    public init(center: Double, width: Double) {
        self.center = center
        self.width = width
    }

    /// Parses `C,W` (finite numbers, width at least 1, as DICOM requires).
    public init?(parsing text: String) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2, let center = Double(parts[0]), let width = Double(parts[1]), center.isFinite,
              width.isFinite, width >= 1 else { return nil }
        self.init(center: center, width: width)
    }
}
