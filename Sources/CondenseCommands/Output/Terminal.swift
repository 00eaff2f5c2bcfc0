import Foundation

/// Where the command line's text goes: the process's standard output and error, or buffers in tests.
public struct Terminal: Sendable {
    let writeOutput: @Sendable (String) -> Void
    let writeError: @Sendable (String) -> Void
    /// Whether standard error is a terminal (progress lines are then rewritten in place).
    let errorIsTerminal: Bool

    public init(output: @escaping @Sendable (String) -> Void, error: @escaping @Sendable (String) -> Void,
                errorIsTerminal: Bool = false) {
        writeOutput = output
        writeError = error
        self.errorIsTerminal = errorIsTerminal
    }

    /// The process's standard output and standard error.
    public static let process = Terminal(output: { Swift.print($0, terminator: "") },
                                         error: { FileHandle.standardError.write(Data($0.utf8)) },
                                         errorIsTerminal: isatty(STDERR_FILENO) != 0)

    /// Text dropped: what the processes of a data-parallel job other than rank 0 print to.
    public static let silent = Terminal(output: { _ in }, error: { _ in })
}
