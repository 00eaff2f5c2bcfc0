/// The side and channels an import makes every image: `--image-size`, else the longer side of the most common
/// image size (capped at 224); the channels of the majority (colour on a tie), with a one-line notice when some
/// images are converted.
struct ImportGeometry {
    let side: Int, channels: Int

    init(_ headers: [ImageFile.Header], options: ImageFolderOptions, observer: ImportObserver) {
        if let size = options.imageSize {
            side = size
        } else {
            let sizes = Dictionary(headers.map { ([$0.width, $0.height], 1) }, uniquingKeysWith: +)
            let common = sizes.sorted { $0.key.lexicographicallyPrecedes($1.key) }.max { $0.value < $1.value }!  // ties: smallest
            side = min(common.key.max()!, ImageFolderOptions.defaultSideCap)
        }
        let grey = headers.filter { $0.channels == 1 }.count, colour = headers.count - grey
        channels = grey > colour ? 1 : 3
        let converted = channels == 1 ? colour : grey
        if converted > 0 {
            observer.notice("\(converted) of \(headers.count) images are \(channels == 1 ? "colour" : "grey"); " +
                            "converted to \(channels == 1 ? "grey" : "RGB"), as the majority")
        }
    }
}
