import CondenseDistributed

/// The `condense` program: picks the command, prints help, and maps the outcome to an exit status — 0 success,
/// 1 a failure while running (one line on standard error), 2 a command line that does not parse or validate.
///
/// Under `mpirun -np N`, every process runs the same command line; only rank 0 prints (a failing rank prints its own
/// error, naming its rank, and ends the whole job with `MPI_Abort`, so no process waits for it forever).
public enum CondenseCommandLine {
    /// Every command, in the order `condense --help` lists them.
    static var commands: [any Command.Type] {
        [DevicesCommand.self, TrainCommand.self, DistillCommand.self, ImportCommand.self, SensitivityCommand.self,
         PruneCommand.self, QuantizeCommand.self, EvaluateCommand.self, ExportCommand.self, RunCommand.self,
         SearchCommand.self, BenchCommand.self, DataCommand.self]
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
        let group: (any ProcessGroup)? = World.isLaunchedByMPI ? World.group : nil
        do {
            try command.execute(rest, terminal: group.map { $0.isPrimary ? terminal : .silent } ?? terminal,
                                processes: group?.size ?? 1)
            return 0
        } catch let error as UsageError {
            // Every process parsed the same words, so rank 0 speaks for all.
            if group?.isPrimary ?? true { terminal.writeError("condense \(name): \(error)\n") }
            return 2
        } catch {
            let rank = group.map { $0.size > 1 ? " (rank \($0.rank) of \($0.size))" : "" } ?? ""
            terminal.writeError("condense \(name)\(rank): \(error)\n")
            if let group, group.size > 1 { group.abort(1) }
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
