/// The width multipliers a command line may ask a model for; the models' own validation checks the size they make.
enum ModelWidth {
    static let bounds = Bounds<Double>.above(0, upTo: 16)
}
