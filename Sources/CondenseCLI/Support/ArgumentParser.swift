import CondenseCore

/// One option a command accepts: `--name VALUE`, or a `--name` flag when `takesValue` is false.
struct OptionSpec {
    let name: String
    let help: String
    var takesValue = true
    var defaultValue: String? = nil
}

/// Options shared by every command (DESIGN.md §4).
let commonOptions = [
    OptionSpec(name: "device", help: "auto | cpu | opencl | opencl:K (default: $CONDENSE_DEVICE, else auto)"),
    OptionSpec(name: "json", help: "print one JSON object as the last line of standard output", takesValue: false),
]

/// The parsed command line of one command: option values by name, plus positional words.
struct ParsedArguments {
    var values: [String: String] = [:]
    var flags: Set<String> = []
    var positionals: [String] = []

    /// Parses `words` against `specs`; unknown options and missing values are usage errors naming the option.
    init(_ words: [String], specs: [OptionSpec], command: String) throws {
        let byName = Dictionary(uniqueKeysWithValues: specs.map { ($0.name, $0) })
        var remaining = words[...]
        while let word = remaining.popFirst() {
            guard word.hasPrefix("--") else { positionals.append(word); continue }
            var name = String(word.dropFirst(2)), inlineValue: String? = nil
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let spec = byName[name] else {
                throw UsageError("unknown option --\(name) (see condense \(command) --help)")
            }
            if spec.takesValue {
                guard let value = inlineValue ?? remaining.popFirst() else {
                    throw UsageError("--\(name) needs a value")
                }
                values[name] = value
            } else {
                flags.insert(name)
            }
        }
        for spec in specs where values[spec.name] == nil { values[spec.name] = spec.defaultValue }
    }

    func flag(_ name: String) -> Bool { flags.contains(name) }

    /// The value of `--name` converted by `convert`, with a usage error naming the option when it does not parse.
    func value<T>(_ name: String, _ what: String, _ convert: (String) -> T?) throws -> T? {
        guard let text = values[name] else { return nil }
        guard let value = convert(text) else { throw UsageError("--\(name): expected \(what), got '\(text)'") }
        return value
    }
}

/// A command line that does not match what the command accepts.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
