import CondenseCore
import Foundation

/// Runs a `FuzzTarget` on mutants of its seeds on a worker thread, under a watchdog: every input must be accepted
/// or refused with a `CondenseError` (a trap ends the run; a wrong error type, an input slower than
/// `slowInputSeconds` or a run past `timeoutSeconds` is reported as a failure).
struct FuzzHarness {
    /// What a run saw.
    struct Report: CustomStringConvertible {
        let target: String
        var inputs = 0, accepted = 0, refused = 0
        var failures: [String] = []
        var slowest = 0.0, seconds = 0.0
        var description: String {
            "fuzz \(target): \(inputs) inputs, \(accepted) accepted, \(refused) refused, slowest " +
                String(format: "%.1f ms, %.2f s", slowest * 1000, seconds)
        }
    }

    let inputsPerTarget: Int
    let seed: UInt64
    var slowInputSeconds = 2.0
    var timeoutSeconds = 120.0

    func run(_ target: FuzzTarget) throws -> Report {
        let seeds = try target.seeds()
        let hints = seeds.map(target.fieldOffsets)
        let box = ReportBox(Report(target: target.name))
        let done = DispatchSemaphore(value: 0)
        let seed = self.seed, count = inputsPerTarget, slow = slowInputSeconds
        let worker = Thread {
            var mutator = Mutator(seed: seed)
            let start = Date()
            for (index, file) in seeds.enumerated() {
                do { try target.read(file) } catch { box.update { $0.failures.append("seed \(index) refused: \(error)") } }
            }
            for index in 0..<count {
                let which = index % seeds.count
                let input = mutator.mutate(seeds[which], hints: hints[which])
                let begin = Date()
                var outcome: String?
                do { try target.read(input) } catch let error as CondenseError { outcome = "\(error)" } catch {
                    box.update { $0.failures.append("input \(index): not a CondenseError: \(error)") }
                }
                let elapsed = Date().timeIntervalSince(begin)
                box.update { report in
                    report.inputs += 1
                    if outcome == nil { report.accepted += 1 } else { report.refused += 1 }
                    report.slowest = max(report.slowest, elapsed)
                    if elapsed > slow { report.failures.append("input \(index) took \(elapsed) s") }
                }
            }
            box.update { $0.seconds = Date().timeIntervalSince(start) }
            done.signal()
        }
        worker.stackSize = 8 << 20
        worker.start()
        if done.wait(timeout: .now() + timeoutSeconds) == .timedOut {
            box.update { $0.failures.append("hang: the run did not finish in \(timeoutSeconds) s") }
        }
        return box.report
    }
}

/// The report, shared between the worker and the watchdog under a lock.
private final class ReportBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Report

    typealias Report = FuzzHarness.Report
    init(_ report: Report) { value = report }

    var report: Report { lock.withLock { value } }
    func update(_ change: (inout Report) -> Void) { lock.withLock { change(&value) } }
}
