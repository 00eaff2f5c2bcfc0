/// A subcommand of `condense`: its name, a one-line summary, the options it takes, and what it does.
struct Command {
    let name: String
    let usage: String
    let summary: String
    let options: [OptionSpec]
    let run: @Sendable (ParsedArguments, Console) throws -> Void
}

/// Every command, in the order `condense --help` lists them.
let commands: [Command] = [devicesCommand, trainCommand, distillCommand, importCommand, sensitivityCommand, pruneCommand,
                          quantizeCommand, evaluateCommand, exportCommand, runCommand, benchCommand]

/// The text of `condense --help`.
func generalHelp() -> String {
    let lines = commands.map { "  " + $0.usage + "\n      " + $0.summary }
    return """
    condense — train, distil and compress neural networks on OpenCL GPUs (CPU fallback)

    usage: condense COMMAND [options]

    commands:
    \(lines.joined(separator: "\n"))

    Run `condense COMMAND --help` for a command's options.
    """
}

/// The text of `condense COMMAND --help`.
func help(for command: Command) -> String {
    let width = command.options.map { $0.name.count + ($0.takesValue ? 6 : 0) }.max() ?? 0
    let lines = command.options.map { spec in
        let left = "--" + spec.name + (spec.takesValue ? " VALUE" : "")
        let defaultText = spec.defaultValue.map { " (default \($0))" } ?? ""
        return "  " + left.padding(to: width + 2) + "   " + spec.help + defaultText
    }
    return "usage: condense \(command.usage)\n\n\(command.summary)\n\noptions:\n" + lines.joined(separator: "\n")
}

extension String {
    func padding(to width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
