/// The `condense` program: picks the command, prints help, and maps the outcome to an exit status — 0 success,
/// 1 a failure while running (one line on standard error), 2 a command line that does not parse or validate.
public enum CondenseCommandLine {
    /// Every command, in the order `condense --help` lists them.
    static var commands: [any Command.Type] {
        [DevicesCommand.self, TrainCommand.self, DistillCommand.self, ImportCommand.self, SensitivityCommand.self,
         PruneCommand.self, QuantizeCommand.self, EvaluateCommand.self, ExportCommand.self, RunCommand.self,
         BenchCommand.self, DataCommand.self]
    }

    /// Runs the command line `words` (the program's arguments without its name) and returns the exit status.
    public static func run(_ words: [String], terminal: Terminal = .process) -> Int32 {
        guard let name = words.first, !["--help", "-h", "help"].contains(name) else {
            terminal.writeOutput(generalHelp + "\n")
            return words.isEmpty ? 2 : 0
        }
        guard let command = commands.first(where: { $0.name == name }) else {
            terminal.writeError("condense: unknown command '\(name)'\n\n\(generalHelp)\n")
            return 2
        }
        let rest = Array(words.dropFirst())
        if rest.contains("--help") || rest.contains("-h") {
            terminal.writeOutput(command.help + "\n")
            return 0
        }
        do {
            try command.execute(rest, terminal: terminal)
            return 0
        } catch let error as UsageError {
            terminal.writeError("condense \(name): \(error)\n")
            return 2
        } catch {
            terminal.writeError("condense \(name): \(error)\n")
            return 1
        }
    }

    /// The text of `condense --help`.
    static var generalHelp: String {
        let lines = commands.map { "  " + $0.usage + "\n      " + $0.summary }
        return """
        condense — train, distil and compress neural networks on OpenCL GPUs (CPU fallback)

        usage: condense COMMAND [options]

        commands:
        \(lines.joined(separator: "\n"))

        Options are `--name VALUE`, `--name=VALUE` or `--name` (a flag). Exit status: 0 success, 1 failure, 2 usage error.
        Run `condense COMMAND --help` for a command's options.
        """
    }
}
