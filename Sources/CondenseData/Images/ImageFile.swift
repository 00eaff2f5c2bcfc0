import CDicom
import CImageCodecs
import CondenseCore

/// One image file of a folder or manifest: its header read cheaply first (size and channels, checked against
/// `DataLimits` before any pixel memory is sized), then its pixels decoded through the format's library — libpng,
/// libjpeg-turbo or DCMTK — to 8-bit grey or RGB, HWC.
struct ImageFile: Sendable {
    /// Sides in pixels and channels (1 grey, 3 RGB) after decoding.
    struct Header: Sendable, Hashable {
        let width: Int, height: Int, channels: Int
    }

    let path: String
    let format: ImageFileFormat

    /// The header, refused when a side exceeds `limits.maximumImageSide` (decompression bombs) or a DICOM file
    /// holds several frames.
    func header(limits: DataLimits) throws -> Header {
        let header: Header
        switch format {
        case .png, .jpeg:
            var raw = codec_header(), message = codec_message()
            let status = format == .png ? codec_png_header(path, &raw, &message) : codec_jpeg_header(path, &raw, &message)
            guard status == 0 else { throw failure(Self.string(message.text)) }
            header = Header(width: Int(raw.width), height: Int(raw.height), channels: Int(raw.channels))
        case .dicom:
            var raw = dicom_header(), message = dicom_message()
            guard dicom_read_header(path, &raw, &message) == 0 else { throw failure(Self.string(message.text)) }
            guard raw.frames <= 1 else {
                throw CondenseError.file(path: path, "Number of Frames (0028,0008) is \(raw.frames); multi-frame DICOM " +
                                                     "files are not supported (export one file per slice)")
            }
            header = Header(width: Int(raw.width), height: Int(raw.height), channels: Int(raw.channels))
        }
        let sides = 1...limits.maximumImageSide
        guard sides.contains(header.width), sides.contains(header.height) else {
            throw CondenseError.file(path: path, "image of \(header.width)×\(header.height) pixels; each side must be " +
                                                 "1…\(limits.maximumImageSide)")
        }
        return header
    }

    /// The pixels (`height × width × channels` bytes, HWC) of a file whose header is `header`; DICOM rendered
    /// with `window`, else the file's own window, else its min–max.
    func decode(_ header: Header, window: DicomWindow?) throws -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: header.width * header.height * header.channels)
        let status: Int32, text: String
        switch format {
        case .png, .jpeg:
            var expected = codec_header(width: Int32(header.width), height: Int32(header.height),
                                        channels: Int32(header.channels))
            var message = codec_message()
            status = pixels.withUnsafeMutableBufferPointer { buffer in
                format == .png ? codec_png_decode(path, &expected, buffer.baseAddress, &message)
                    : codec_jpeg_decode(path, &expected, buffer.baseAddress, &message)
            }
            text = Self.string(message.text)
        case .dicom:
            var expected = dicom_header(width: Int32(header.width), height: Int32(header.height),
                                        channels: Int32(header.channels), frames: 1)
            var message = dicom_message()
            let voi = dicom_window(use_override: window == nil ? 0 : 1, center: window?.center ?? 0,
                                   width: window?.width ?? 0)
            status = pixels.withUnsafeMutableBufferPointer { dicom_render(path, &expected, voi, $0.baseAddress, &message) }
            text = Self.string(message.text)
        }
        guard status == 0 else { throw failure(text) }
        return pixels
    }

    private func failure(_ message: String) -> CondenseError {
        CondenseError.file(path: path, message.isEmpty ? "cannot decode the \(format.rawValue) image" : message)
    }

    /// The NUL-terminated text in a C `char[N]` field, which Swift sees as a tuple.
    private static func string<Tuple>(_ field: Tuple) -> String {
        withUnsafeBytes(of: field) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
