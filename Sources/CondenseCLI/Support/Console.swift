import Foundation

/// Where a command's words go: progress and notices to standard error, results to standard output, and with
/// `--json` one JSON object as the last line of standard output instead of the human-readable text.
final class Console {
    let json: Bool

    init(json: Bool) { self.json = json }

    /// A line for people on standard error (never mixed into the JSON output).
    func notice(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Human-readable result text on standard output; suppressed with `--json`.
    func print(_ text: String) {
        if !json { Swift.print(text) }
    }

    /// The command's final JSON object (only with `--json`). Keys are sorted so output is stable.
    func emit(_ object: [String: Any]) throws {
        guard json else { return }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        Swift.print(String(decoding: data, as: UTF8.self))
    }
}
