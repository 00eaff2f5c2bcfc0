import CondenseCommands
import Foundation
import XCTest

/// One run of `condense` in process: its exit status and what it wrote to standard output and standard error.
struct CommandLineRun {
    let status: Int32
    let output: String
    let error: String

    /// Runs `condense` with `words` (without the program name), capturing both streams.
    init(_ words: [String]) {
        let output = TextBuffer(), error = TextBuffer()
        status = CondenseCommandLine.run(words, terminal: Terminal(output: { output.append($0) }, error: { error.append($0) }))
        self.output = output.text
        self.error = error.text
    }

    /// Asserts a usage error (exit 2) whose one-line message contains every fragment.
    func assertUsageError(_ fragments: String..., file: StaticString = #filePath, line: UInt = #line) {
        assertFailure(status: 2, fragments, file: file, line: line)
    }

    /// Asserts a run-time failure (exit 1) whose one-line message contains every fragment.
    func assertRunFailure(_ fragments: String..., file: StaticString = #filePath, line: UInt = #line) {
        assertFailure(status: 1, fragments, file: file, line: line)
    }

    private func assertFailure(status expected: Int32, _ fragments: [String], file: StaticString, line: UInt) {
        XCTAssertEqual(status, expected, "stderr: \(error)", file: file, line: line)
        XCTAssertEqual(output, "", "nothing on standard output", file: file, line: line)
        let message = error.split(separator: "\n").last.map(String.init) ?? ""
        for fragment in fragments {
            XCTAssertTrue(message.contains(fragment), "'\(message)' lacks '\(fragment)'", file: file, line: line)
        }
    }
}

/// Text written by one stream of a run.
private final class TextBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var parts: [String] = []

    var text: String { lock.withLock { parts.joined() } }

    func append(_ text: String) { lock.withLock { parts.append(text) } }
}
