import Foundation

/// One option a command declares, once: its name, the placeholder of its value (none for a flag), its help, how it
/// reads its default from the command's default options, and how it stores a parsed value into them.
///
/// Sendable by construction, which the compiler cannot see through its closures: every property is a constant, and
/// the closures capture only key paths, bounds and other constants, never mutable state (commands declare their
/// specs as `static let`).
public struct OptionSpec<Options>: @unchecked Sendable {
    public let name: String
    /// `N`, `FILE`, `adamw|sgd`…; nil for a flag, which takes no value.
    public let placeholder: String?
    /// What the option does, with its accepted range.
    public let help: String
    /// Whether the command line must give it.
    public let isRequired: Bool
    /// The default as help writes it, read from a command's default options (nil: none to show).
    let defaultText: (Options) -> String?
    /// Parses `value` (nil for a flag) and stores it; throws a `UsageError` naming the option.
    let assign: (inout Options, String?) throws -> Void

    /// The same option declared on a group of options that `path` reaches inside a command's options.
    public func lifted<Outer>(_ path: WritableKeyPath<Outer, Options>) -> OptionSpec<Outer> {
        let defaultText = self.defaultText, assign = self.assign
        return OptionSpec<Outer>(name: name, placeholder: placeholder, help: help, isRequired: isRequired,
                                 defaultText: { defaultText($0[keyPath: path]) },
                                 assign: { try assign(&$0[keyPath: path], $1) })
    }
}

extension OptionSpec {
    /// `--name VALUE`, stored at `path`, refused outside `bounds`; its default is what `path` holds by default
    /// (none shown when `required`).
    public static func value<Value: ArgumentValue & Comparable>(
        _ name: String, _ path: WritableKeyPath<Options, Value>, bounds: Bounds<Value>, help: String,
        required: Bool = false
    ) -> OptionSpec {
        OptionSpec(name: name, placeholder: Value.placeholder, help: help + ", range " + bounds.text, isRequired: required,
                   defaultText: { $0[keyPath: path].argumentText },
                   assign: { $0[keyPath: path] = try parse($1, as: name, within: bounds) })
    }

    /// `--name VALUE` with no default (nil until given), refused outside `bounds`.
    public static func value<Value: ArgumentValue & Comparable>(
        _ name: String, _ path: WritableKeyPath<Options, Value?>, bounds: Bounds<Value>, help: String
    ) -> OptionSpec {
        OptionSpec(name: name, placeholder: Value.placeholder, help: help + ", range " + bounds.text, isRequired: false,
                   defaultText: { $0[keyPath: path]?.argumentText },
                   assign: { $0[keyPath: path] = try parse($1, as: name, within: bounds) })
    }

    /// `--name VALUE` of a type that checks itself (a path, a choice), with a default at `path` unless `required`.
    public static func value<Value: ArgumentValue>(
        _ name: String, _ path: WritableKeyPath<Options, Value>, placeholder: String? = nil, help: String,
        required: Bool = false
    ) -> OptionSpec {
        OptionSpec(name: name, placeholder: placeholder ?? Value.placeholder, help: help, isRequired: required,
                   defaultText: { $0[keyPath: path].argumentText },
                   assign: { $0[keyPath: path] = try parse($1, as: name) })
    }

    /// `--name VALUE` of a type that checks itself (a path, a device), nil until given.
    public static func value<Value: ArgumentValue>(
        _ name: String, _ path: WritableKeyPath<Options, Value?>, placeholder: String? = nil, help: String
    ) -> OptionSpec {
        OptionSpec(name: name, placeholder: placeholder ?? Value.placeholder, help: help, isRequired: false,
                   defaultText: { $0[keyPath: path]?.argumentText },
                   assign: { $0[keyPath: path] = try parse($1, as: name) })
    }

    /// `--name`, a flag that sets `path` to `value` (true unless the flag turns something off).
    public static func flag(_ name: String, _ path: WritableKeyPath<Options, Bool>, setting value: Bool = true,
                            help: String) -> OptionSpec {
        OptionSpec(name: name, placeholder: nil, help: help, isRequired: false, defaultText: { _ in nil },
                   assign: { options, _ in options[keyPath: path] = value })
    }

    /// `--name WORD` with WORD one of `Value`'s choices, listed in the help after `help` (for choices too many to
    /// spell in the placeholder); its default is what `path` holds, unless `required`.
    public static func choice<Value: ChoiceArgument>(_ name: String, _ path: WritableKeyPath<Options, Value>,
                                                     placeholder: String, help: String,
                                                     required: Bool = false) -> OptionSpec {
        let choices = Value.allCases.map(\.rawValue).joined(separator: " | ")
        return value(name, path, placeholder: placeholder, help: help + ": " + choices, required: required)
    }

    /// `--name A,B,…`: a comma-separated list, every element within `bounds`; its default is what `path` holds.
    public static func list<Element: ArgumentValue & Comparable>(
        _ name: String, _ path: WritableKeyPath<Options, [Element]>, bounds: Bounds<Element>, help: String
    ) -> OptionSpec {
        OptionSpec(name: name, placeholder: Element.placeholder + ",…", help: help + ", each in " + bounds.text,
                   isRequired: false, defaultText: { $0[keyPath: path].map(\.argumentText).joined(separator: ",") },
                   assign: { options, text in
                       let items = (text ?? "").split(separator: ",", omittingEmptySubsequences: false)
                       let values = items.compactMap { Element(argument: $0.trimmingCharacters(in: .whitespaces)) }
                       guard !items.isEmpty, values.count == items.count, values.allSatisfy(bounds.contains) else {
                           throw UsageError("--\(name): expected comma-separated values, each \(Element.expectation) in " +
                                            "\(bounds.text), got '\(text ?? "")'")
                       }
                       options[keyPath: path] = values
                   })
    }

    /// `--name VALUE` converted by `convert`, nil until given; whatever `convert` throws becomes a usage error
    /// naming the option.
    public static func parsed<Value>(_ name: String, _ path: WritableKeyPath<Options, Value?>, placeholder: String,
                                     help: String, convert: @escaping (String) throws -> Value) -> OptionSpec {
        OptionSpec(name: name, placeholder: placeholder, help: help, isRequired: false, defaultText: { _ in nil },
                   assign: { options, text in
                       do { options[keyPath: path] = try convert(text ?? "") } catch {
                           throw UsageError("--\(name): \(error)")
                       }
                   })
    }

    private static func parse<Value: ArgumentValue>(_ text: String?, as name: String) throws -> Value {
        guard let text, let value = Value(argument: text) else {
            throw UsageError("--\(name): expected \(Value.expectation), got '\(text ?? "")'")
        }
        return value
    }

    private static func parse<Value: ArgumentValue>(_ text: String?, as name: String,
                                                    within bounds: Bounds<Value>) throws -> Value {
        guard let text, let value = Value(argument: text), bounds.contains(value) else {
            throw UsageError("--\(name): expected \(Value.expectation) in \(bounds.text), got '\(text ?? "")'")
        }
        return value
    }
}

extension Array {
    /// A group's options declared on the command options that `path` reaches the group in.
    public func lifted<Group, Outer>(_ path: WritableKeyPath<Outer, Group>) -> [OptionSpec<Outer>]
    where Element == OptionSpec<Group> {
        map { $0.lifted(path) }
    }
}
