/// A type an option's value converts to from its text on the command line, with the words help and errors use for it.
public protocol ArgumentValue {
    /// The value `text` spells, or nil when it spells none.
    init?(argument text: String)
    /// What a valid value is, for errors: "an integer", "a number", "one of adamw, sgd".
    static var expectation: String { get }
    /// The placeholder help shows after the option's name: `INT`, `NUM`, `adamw|sgd`.
    static var placeholder: String { get }
    /// The value as help writes a default.
    var argumentText: String { get }
}

extension Int: ArgumentValue {
    public init?(argument text: String) { self.init(text) }
    public static var expectation: String { "an integer" }
    public static var placeholder: String { "INT" }
    public var argumentText: String { String(self) }
}

extension UInt64: ArgumentValue {
    public init?(argument text: String) { self.init(text) }
    public static var expectation: String { "a non-negative integer" }
    public static var placeholder: String { "INT" }
    public var argumentText: String { String(self) }
}

extension Double: ArgumentValue {
    public init?(argument text: String) { self.init(text) }
    public static var expectation: String { "a number" }
    public static var placeholder: String { "NUM" }
    public var argumentText: String { "\(self)".replacingSuffix(".0") }
}

extension Float: ArgumentValue {
    public init?(argument text: String) { self.init(text) }
    public static var expectation: String { "a number" }
    public static var placeholder: String { "NUM" }
    public var argumentText: String { "\(self)".replacingSuffix(".0") }
}

extension String: ArgumentValue {
    public init?(argument text: String) {
        guard !text.isEmpty else { return nil }
        self = text
    }
    public static var expectation: String { "a non-empty value" }
    public static var placeholder: String { "VALUE" }
    public var argumentText: String { self }

    fileprivate func replacingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}

/// A value from a closed set of words: parses its raw value, and help lists every choice.
public protocol ChoiceArgument: ArgumentValue, CaseIterable, RawRepresentable where RawValue == String {}

extension ChoiceArgument {
    public init?(argument text: String) { self.init(rawValue: text) }
    public static var expectation: String { "one of " + allCases.map(\.rawValue).joined(separator: ", ") }
    public static var placeholder: String { allCases.map(\.rawValue).joined(separator: "|") }
    public var argumentText: String { rawValue }
}
