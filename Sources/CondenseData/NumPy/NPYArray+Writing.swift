extension NPYArray {
    /// A NumPy `.npy` file (format 1.0) holding float32 `values` of `shape` in C order. `values.count` must equal
    /// the product of `shape`.
    public static func float32File(shape: [Int], values: [Float]) -> [UInt8] {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not hold \(values.count) values")
        var payload: [UInt8] = []
        payload.reserveCapacity(4 * values.count)
        for value in values {
            let bits = value.bitPattern
            payload += [UInt8(truncatingIfNeeded: bits), UInt8(truncatingIfNeeded: bits >> 8),
                        UInt8(truncatingIfNeeded: bits >> 16), UInt8(truncatingIfNeeded: bits >> 24)]
        }
        return file(descr: "<f4", shape: shape, payload: payload)
    }

    /// A NumPy `.npy` file (format 1.0): `header(descr:shape:)`, then `payload` as given (the caller supplies the
    /// little-endian elements; nothing checks that they match the shape).
    public static func file(descr: String, shape: [Int], payload: [UInt8]) -> [UInt8] {
        header(descr: descr, shape: shape) + payload
    }

    /// The start of a `.npy` file (format 1.0) up to its data: the magic, the header dictionary with `descr` and
    /// `shape` padded with spaces and a newline so the data starts at a multiple of 64 bytes.
    public static func header(descr: String, shape: [Int]) -> [UInt8] {
        let extents = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var header = Array("{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(extents)), }".utf8)
        let prefixLength = 10  // magic (6), version (2), header length (2)
        header += [UInt8](repeating: 0x20, count: (64 - (prefixLength + header.count + 1) % 64) % 64) + [0x0A]
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        bytes += [UInt8(header.count & 0xFF), UInt8(header.count >> 8)] + header
        return bytes
    }
}
