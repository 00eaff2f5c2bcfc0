import Foundation

/// The image formats an image folder may hold, recognised by extension or, for files without a known extension
/// (DICOM exports often have none), by their first bytes.
public enum ImageFileFormat: String, Sendable, CaseIterable {
    case png, jpeg, dicom

    /// The format of the file at `path`, or nil when it is not an image (a text file, `DICOMDIR`, a hidden file).
    static func of(_ path: String) -> ImageFileFormat? {
        let name = (path as NSString).lastPathComponent
        guard !name.hasPrefix("."), name.uppercased() != "DICOMDIR" else { return nil }
        switch (name as NSString).pathExtension.lowercased() {
        case "png": return .png
        case "jpg", "jpeg": return .jpeg
        case "dcm", "dicom": return .dicom
        case "": return sniffed(path)
        default: return nil
        }
    }

    /// The format announced by the file's magic: PNG's signature, JPEG's SOI marker, DICOM's `DICM` after the
    /// 128-byte preamble.
    private static func sniffed(_ path: String) -> ImageFileFormat? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 132)) ?? Data())
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return .png }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if head.count == 132, Array(head[128..<132]) == Array("DICM".utf8) { return .dicom }
        return nil
    }
}
