/// Brings a decoded image to the dataset's geometry: its channels converted (grey repeated into RGB, RGB to grey
/// by ITU-R BT.601 luma), then resized to `side × side` by a separable filter — area averaging when shrinking (each
/// output pixel the mean of the source area it covers, which antialiases), bilinear when enlarging, and an exact copy
/// when the size is unchanged. The aspect ratio is not kept: a non-square image is stretched to the square.
struct ImageResampler {
    let side: Int, channels: Int

    /// Writes the image (`header`, HWC `pixels`) into `output` as `channels` planes of `side × side` (CHW).
    func resample(_ pixels: [UInt8], _ header: ImageFile.Header, into output: UnsafeMutableBufferPointer<UInt8>) {
        let planes = converted(pixels, header)
        let rows = Self.weights(from: header.height, to: side), columns = Self.weights(from: header.width, to: side)
        var across = [Float](repeating: 0, count: header.height * side)
        for (c, plane) in planes.enumerated() {
            for y in 0..<header.height {
                let row = y * header.width
                for x in 0..<side {
                    across[y * side + x] = columns[x].reduce(0) { $0 + $1.weight * plane[row + $1.index] }
                }
            }
            for y in 0..<side {
                for x in 0..<side {
                    let value = rows[y].reduce(0) { $0 + $1.weight * across[$1.index * side + x] }
                    output[(c * side + y) * side + x] = UInt8(min(max(value.rounded(), 0), 255))
                }
            }
        }
    }

    /// One float plane per output channel, from HWC bytes.
    private func converted(_ pixels: [UInt8], _ header: ImageFile.Header) -> [[Float]] {
        let count = header.width * header.height, source = header.channels
        if source == channels {
            return (0..<channels).map { c in (0..<count).map { Float(pixels[$0 * source + c]) } }
        }
        if source == 1 {
            let grey = pixels.map(Float.init)
            return Array(repeating: grey, count: channels)
        }
        return [(0..<count).map { p in
            0.299 * Float(pixels[3 * p]) + 0.587 * Float(pixels[3 * p + 1]) + 0.114 * Float(pixels[3 * p + 2])
        }]
    }

    /// For each of `target` output positions, the source positions and weights (summing to 1) that make it.
    static func weights(from source: Int, to target: Int) -> [[(index: Int, weight: Float)]] {
        let scale = Double(source) / Double(target)
        return (0..<target).map { i -> [(index: Int, weight: Float)] in
            if scale > 1 {  // area: the source interval [i·scale, (i+1)·scale) weighted by overlap
                let start = Double(i) * scale, end = start + scale
                return (Int(start)..<min(Int(end.rounded(.up)), source)).compactMap { j in
                    let overlap = min(end, Double(j + 1)) - max(start, Double(j))
                    return overlap > 0 ? (index: j, weight: Float(overlap / scale)) : nil
                }
            }
            let position = min(max((Double(i) + 0.5) * scale - 0.5, 0), Double(source - 1))
            let low = Int(position), fraction = position - Double(low)
            if fraction == 0 || low + 1 >= source { return [(index: low, weight: 1)] }
            return [(index: low, weight: Float(1 - fraction)), (index: low + 1, weight: Float(fraction))]
        }
    }
}
