/// What a command fills from its command line: a value type whose `init()` holds every default, the options every
/// command shares, and the checks that span several options.
public protocol CommandOptions {
    init()
    /// `--device` and `--json`.
    var common: CommonOptions { get }
    /// Throws a `UsageError` naming the flags when options that parsed alone do not fit together.
    func validate() throws
}

extension CommandOptions {
    public func validate() throws {}
}

/// The one positional word a command may take (`bench gemm`), and how it is stored; the command decides what its
/// absence means. Sendable for the reason `OptionSpec` is: a constant whose closure captures only a key path.
public struct PositionalSpec<Options>: @unchecked Sendable {
    let assign: (inout Options, String) throws -> Void

    /// A word from a closed set, stored at `path`.
    public static func choice<Value: ChoiceArgument>(_ path: WritableKeyPath<Options, Value?>) -> PositionalSpec {
        PositionalSpec { options, word in
            guard let value = Value(argument: word) else {
                throw UsageError("expected \(Value.expectation), got '\(word)'")
            }
            options[keyPath: path] = value
        }
    }
}
