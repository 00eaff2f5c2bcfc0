/// A subcommand of `condense`: its name and help, the options it declares once, and what it does with them.
public protocol Command {
    associatedtype Options: CommandOptions
    static var name: String { get }
    /// The synopsis after `condense`, for help.
    static var usage: String { get }
    /// One line for `condense --help`.
    static var summary: String { get }
    static var options: [OptionSpec<Options>] { get }
    /// The positional word it takes, if any.
    static var positional: PositionalSpec<Options>? { get }
    /// Whether it runs these options as one data-parallel job under `mpirun -np N` (N > 1); the others refuse to.
    static func runsDataParallel(_ options: Options) -> Bool
    /// Runs with parsed, validated options; throws a `UsageError` for what only a combination with the data shows
    /// wrong, any other error for a failure.
    static func run(_ options: Options, console: Console) throws
}

extension Command {
    public static var positional: PositionalSpec<Options>? { nil }
    public static func runsDataParallel(_ options: Options) -> Bool { false }

    /// Parses `words` and runs, as one of `processes` processes of a job; the console is built once `--json` is
    /// known.
    static func execute(_ words: [String], terminal: Terminal, processes: Int = 1) throws {
        let options = try ArgumentParser.parse(words, command: name, options: self.options, positional: positional)
        if processes > 1, !runsDataParallel(options) {
            throw UsageError("does not run data-parallel yet (under mpirun with \(processes) processes); run it as " +
                             "one process")
        }
        try run(options, console: Console(json: options.common.json, terminal: terminal))
    }

    /// The text of `condense NAME --help`: usage, summary, and every option with its type, range and default.
    static var help: String {
        let defaults = Options()
        let left = options.map { "--" + $0.name + ($0.placeholder.map { " " + $0 } ?? "") }
        let width = left.map(\.count).max() ?? 0
        let lines = zip(left, options).map { left, spec in
            let suffix = spec.isRequired ? " (required)" : spec.defaultText(defaults).map { " (default \($0))" } ?? ""
            return "  " + left.padding(to: width) + "   " + spec.help + suffix
        }
        return "usage: condense \(usage)\n\n\(summary)\n\noptions:\n" + lines.joined(separator: "\n") + "\n\n" +
            "INT: an integer, NUM: a number, NAME: a word from the list, C: a checkpoint file, F: a file, D: a device"
    }
}

extension String {
    func padding(to width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
