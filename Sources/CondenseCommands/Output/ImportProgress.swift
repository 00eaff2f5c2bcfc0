import CondenseData
import Foundation

/// Shows an image import on standard error: notices as lines, decoding progress as a line rewritten in place on a
/// terminal at most once a second (nothing otherwise, and nothing with `--json` but the notices).
final class ImportProgress: @unchecked Sendable {  // Sendable: its one mutable field is touched under `lock`
    private let terminal: Terminal, quiet: Bool
    private let lock = NSLock(), start = Date()
    private var lastShown = Date.distantPast

    private init(terminal: Terminal, quiet: Bool) {
        self.terminal = terminal
        self.quiet = quiet
    }

    static func observer(_ console: Console) -> ImportObserver {
        let progress = ImportProgress(terminal: console.terminal, quiet: console.json || !console.terminal.errorIsTerminal)
        let terminal = console.terminal
        return ImportObserver(notice: { terminal.writeError($0 + "\n") }, progress: progress.show)
    }

    private func show(_ done: Int, _ total: Int) {
        guard !quiet else { return }
        lock.withLock {
            let now = Date()
            guard now.timeIntervalSince(lastShown) >= 1 || done == total else { return }
            lastShown = now
            let rate = Double(done) / max(now.timeIntervalSince(start), 1e-3)
            terminal.writeError(String(format: "\r\u{1B}[Kdecoding images %d/%d  %.0f img/s", done, total, rate)
                                + (done == total ? "\n" : ""))
        }
    }
}
