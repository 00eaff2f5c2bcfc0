import CondenseCore

/// Writes an `ImageDataset` as a MedMNIST `.npz` (stored, as `numpy.savez` writes): `{train,val,test}_images` uint8
/// `[N, H, W]` (grey) or `[N, H, W, 3]` (RGB), `{train,val,test}_labels` int64 `[N, 1]`, and `class_names`, the
/// class names as UTF-8 joined by newlines in a uint8 array (`bytes(a).decode().split("\n")` in NumPy), which
/// `MedMNISTLoader` reads back. Written atomically.
public enum MedMNISTWriter {
    public static func write(_ dataset: ImageDataset, to path: String) throws {
        try AtomicFileWriter.write(to: path) { output in
            var archive = ZipWriter(output, path: path)
            let g = dataset, plane = g.height * g.width
            for (name, split) in zip(MedMNISTLayout.splitNames, [g.train, g.validation, g.test]) {
                let shape = g.channels == 1 ? [split.count, g.height, g.width] : [split.count, g.height, g.width, g.channels]
                try archive.add("\(name)_images.npy", parts: [NPYArray.header(descr: "|u1", shape: shape),
                                                          nhwc(split.pixels, channels: g.channels, plane: plane)])
                let labels = split.labels.flatMap { label in (0..<8).map { UInt8(truncatingIfNeeded: Int64(label) >> (8 * $0)) } }
                try archive.add("\(name)_labels.npy", parts: [NPYArray.header(descr: "<i8", shape: [split.count, 1]), labels])
            }
            let names = Array(dataset.classNames.joined(separator: "\n").utf8)
            try archive.add("\(MedMNISTLoader.classNamesKey).npy",
                        parts: [NPYArray.header(descr: "|u1", shape: [names.count]), names])
            try archive.finish()
        }
    }

    /// NCHW to NHWC (as MedMNIST stores colour images).
    private static func nhwc(_ pixels: [UInt8], channels: Int, plane: Int) -> [UInt8] {
        guard channels > 1 else { return pixels }
        var output = [UInt8](repeating: 0, count: pixels.count)
        for n in 0..<(pixels.count / (channels * plane)) {
            for c in 0..<channels {
                for p in 0..<plane { output[(n * plane + p) * channels + c] = pixels[(n * channels + c) * plane + p] }
            }
        }
        return output
    }
}
