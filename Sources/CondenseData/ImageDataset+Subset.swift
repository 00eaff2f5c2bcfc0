extension ImageDataset {
    /// The same dataset cut to the first `train`, `validation` and `test` images of each split (smoke runs).
    public func subset(train: Int, validation: Int, test: Int) -> ImageDataset {
        ImageDataset(name: name, channels: channels, height: height, width: width, classNames: classNames,
                     train: self.train.prefix(train), validation: self.validation.prefix(validation),
                     test: self.test.prefix(test))
    }
}
