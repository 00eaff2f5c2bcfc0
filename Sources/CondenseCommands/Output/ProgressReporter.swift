import Condense
import Foundation

/// Shows training progress on standard error: a line rewritten in place on a terminal, one line per epoch
/// otherwise; nothing with `--json` but warnings (a loss jump, validation far below training accuracy), which are
/// always shown on a line of their own.
struct ProgressReporter {
    let console: Console
    private var isTerminal: Bool { console.terminal.errorIsTerminal }

    init(console: Console) { self.console = console }

    func report(_ event: TrainingEvent) {
        if case let .warning(warning) = event {
            if isTerminal && !console.json { console.terminal.writeError("\r\u{1B}[K") }
            return console.notice("warning: \(warning)")
        }
        guard !console.json else { return }
        switch event {
        case let .step(epoch, epochs, step, steps, loss, accuracy, rate, eta):
            guard isTerminal else { return }
            let line = String(format: "epoch %d/%d  step %d/%d  loss %.4f  acc %.3f  %.0f img/s  ETA %@", epoch, epochs,
                              step, steps, loss, accuracy, rate, Self.duration(eta))
            console.terminal.writeError("\r\u{1B}[K" + line)
        case let .epoch(epoch, epochs, loss, accuracy, validation, improved):
            if isTerminal { console.terminal.writeError("\r\u{1B}[K") }
            console.notice(String(format: "epoch %d/%d  loss %.4f  train acc %.3f  val acc %.3f%@", epoch, epochs, loss,
                                  accuracy, validation, improved ? "  (best, saved)" : ""))
        case .warning: break
        }
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let total = Int(seconds.rounded())
        return total >= 3600 ? String(format: "%dh%02dm", total / 3600, total / 60 % 60)
            : String(format: "%dm%02ds", total / 60, total % 60)
    }
}
