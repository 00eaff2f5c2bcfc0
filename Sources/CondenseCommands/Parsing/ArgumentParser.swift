/// Turns a command's words into its options. The grammar: `--name VALUE` or `--name=VALUE` for an option,
/// `--name` for a flag, at most one positional word where the command takes one. A value may start with one dash
/// (`--lr -1` is parsed, then refused by its bounds) but not with two. Every other word is a usage error: an
/// unknown option, a single-dash option (`-epochs`), a flag given a value, an option given twice, a stray word,
/// or a required option left out.
public enum ArgumentParser {
    public static func parse<Options: CommandOptions>(_ words: [String], command: String,
                                                      options specs: [OptionSpec<Options>],
                                                      positional: PositionalSpec<Options>? = nil) throws -> Options {
        let byName = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var options = Options(), seen: Set<String> = [], positionalSeen = false
        var remaining = words[...]
        while let word = remaining.popFirst() {
            guard word.hasPrefix("--") else {
                if word.hasPrefix("-") && word.count > 1 {
                    throw UsageError("unknown option '\(word)': options start with two dashes (--\(word.drop { $0 == "-" }))")
                }
                guard let positional, !positionalSeen else { throw UsageError("unexpected argument '\(word)'") }
                try positional.assign(&options, word)
                positionalSeen = true
                continue
            }
            let (name, inlineValue) = split(word)
            guard let spec = byName[name] else {
                throw UsageError("unknown option --\(name) (see condense \(command) --help)")
            }
            guard seen.insert(name).inserted else { throw UsageError("--\(name) is given more than once") }
            if spec.placeholder == nil {
                guard inlineValue == nil else { throw UsageError("--\(name) is a flag and takes no value") }
                try spec.assign(&options, nil)
                continue
            }
            if let inlineValue {
                try spec.assign(&options, inlineValue)
            } else if let next = remaining.first, !next.hasPrefix("--") {
                remaining.removeFirst()
                try spec.assign(&options, next)
            } else {
                throw UsageError("--\(name) needs a value (\(spec.placeholder!))")
            }
        }
        for spec in specs where spec.isRequired && !seen.contains(spec.name) {
            throw UsageError("--\(spec.name) \(spec.placeholder ?? "") is required")
        }
        try options.validate()
        return options
    }

    /// `--name=value` as (name, value); `--name` as (name, nil).
    private static func split(_ word: String) -> (String, String?) {
        let body = word.dropFirst(2)
        guard let equals = body.firstIndex(of: "=") else { return (String(body), nil) }
        return (String(body[..<equals]), String(body[body.index(after: equals)...]))
    }
}
