extension ImageSplit {
    /// The first `count` images (all of them when there are fewer).
    public func prefix(_ count: Int) -> ImageSplit {
        images(0..<min(max(count, 0), self.count))
    }

    /// The images at `range` (which must lie within the split), in order.
    public func images(_ range: Range<Int>) -> ImageSplit {
        let imageBytes = count > 0 ? pixels.count / count : 0
        return ImageSplit(pixels: Array(pixels[(range.lowerBound * imageBytes)..<(range.upperBound * imageBytes)]),
                          labels: Array(labels[range]))
    }
}

extension ImageDataset {
    /// The same dataset cut to the first `train`, `validation` and `test` images of each split (smoke runs).
    public func subset(train: Int, validation: Int, test: Int) -> ImageDataset {
        var subset = ImageDataset(name: name, channels: channels, height: height, width: width, classNames: classNames,
                                  train: self.train.prefix(train), validation: self.validation.prefix(validation),
                                  test: self.test.prefix(test))
        subset.drawnSplit = drawnSplit
        return subset
    }
}
