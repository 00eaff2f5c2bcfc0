import CZlib
import CondenseCore
import Foundation

/// Raw-deflate decompression of one ZIP member, streamed from its source in 256 KiB reads straight into the
/// caller's buffer, so a member is never held twice and never grows past the size its directory entry declares.
enum Inflater {
    private static let readSize = 1 << 18

    /// Inflates `compressedCount` bytes from `offset` of `source` into `destination`. With `whole`, the stream must
    /// end exactly when `destination` is full; without, inflation stops once it is full (a prefix).
    static func inflate(_ source: ByteSource, offset: Int, compressedCount: Int,
                        into destination: UnsafeMutableRawBufferPointer, whole: Bool, member: String) throws {
        func fail(_ message: String) -> CondenseError {
            CondenseError.file(path: source.path, "ZIP member '\(member)': \(message)")
        }
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw fail("zlib failed to start")
        }
        defer { inflateEnd(&stream) }
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: min(readSize, max(compressedCount, 1)), alignment: 8)
        defer { input.deallocate() }
        var overflow: UInt8 = 0  // where output goes once the destination is full: any byte there is one too many
        var consumed = 0, produced = 0, status = Z_OK
        while status != Z_STREAM_END {
            if stream.avail_in == 0, consumed < compressedCount {
                let count = min(input.count, compressedCount - consumed)
                try source.copy(offset + consumed, into: UnsafeMutableRawBufferPointer(rebasing: input[..<count]))
                stream.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_in = uInt(count)
                consumed += count
            }
            let room = destination.count - produced
            if room == 0, !whole { return }
            status = withUnsafeMutablePointer(to: &overflow) { spare in
                let window = uInt(min(room, Int(UInt32.max)))
                stream.next_out = room > 0 ? (destination.baseAddress! + produced).assumingMemoryBound(to: Bytef.self) : spare
                stream.avail_out = room > 0 ? window : 1
                let before = stream.avail_out
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                produced += Int(before - stream.avail_out)
                return status
            }
            guard produced <= destination.count else {
                throw fail("inflates to more than the \(destination.count) bytes its directory entry declares (corrupt)")
            }
            switch status {
            case Z_OK, Z_STREAM_END: continue
            case Z_BUF_ERROR: throw fail("deflate data is truncated (\(compressedCount) compressed bytes end mid-stream)")
            default: throw fail("deflate data is corrupt (zlib status \(status))")
            }
        }
        guard produced == destination.count else {
            throw fail("inflates to \(produced) bytes, but its directory entry declares \(destination.count)")
        }
    }
}
