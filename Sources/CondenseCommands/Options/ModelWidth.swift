import CondenseNN

/// The width multipliers a command line may ask a model for: the models' own range (`ModelLimits.width`), so a flag
/// and a checkpoint are held to one bound.
enum ModelWidth {
    static let bounds = Bounds<Double>.within(ModelLimits.width)
}
