/// `--temperature` and `--alpha` of Hinton distillation, declared once for every command that distils; each command
/// points them at the library options it fills, whose defaults they show.
enum DistillationOptionGroup {
    static func specs<Options>(temperature: WritableKeyPath<Options, Float>,
                               alpha: WritableKeyPath<Options, Float>) -> [OptionSpec<Options>] {
        [
            .value("temperature", temperature, bounds: .within(0.05...100), help: "softmax temperature T"),
            .value("alpha", alpha, bounds: .within(0...1),
                   help: "weight α of the distillation term (1 − α on cross entropy)"),
        ]
    }
}
