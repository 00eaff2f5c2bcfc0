import Foundation

/// Where a command's words go: progress and notices to standard error, results to standard output, and with
/// `--json` one JSON object as the last line of standard output instead of the human-readable text.
public final class Console {
    let json: Bool
    let terminal: Terminal

    init(json: Bool, terminal: Terminal) {
        self.json = json
        self.terminal = terminal
    }

    /// A line for people on standard error (never mixed into the JSON output).
    func notice(_ line: String) {
        terminal.writeError(line + "\n")
    }

    /// Human-readable result text on standard output; suppressed with `--json`.
    func print(_ text: String) {
        if !json { terminal.writeOutput(text + "\n") }
    }

    /// The command's final JSON object (only with `--json`). Keys are sorted so output is stable.
    func emit(_ object: [String: Any]) throws {
        guard json else { return }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        terminal.writeOutput(String(decoding: data, as: UTF8.self) + "\n")
    }
}
