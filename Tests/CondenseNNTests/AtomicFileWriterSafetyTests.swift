@testable import CondenseCore
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The atomic writer's guards: it replaces only regular files, an interrupting signal takes its temporary file
/// with it, and temporary files of processes that died are removed by the next write.
final class AtomicFileWriterSafetyTests: XCTestCase {
    private typealias T = CheckpointTesting
    private static let childTargetVariable = "CONDENSE_SIGNALLED_SAVE_TARGET"

    func testRefusesToReplaceADirectoryAFIFOOrALinkToOne() throws {
        let folder = try T.temporaryFolder()
        let directory = folder + "/out"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        T.assertContains(T.fileError { try AtomicFileWriter.write([1], to: directory) }, directory, "is a directory",
                         "not a regular file")
        let fifo = folder + "/pipe"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        T.assertContains(T.fileError { try AtomicFileWriter.write([1], to: fifo) }, fifo, "FIFO", "not a regular file")
        let link = folder + "/link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: fifo)
        T.assertContains(T.fileError { try AtomicFileWriter.write([1], to: link) }, link, "FIFO")

        // Each is still what it was, and nothing was left beside them.
        XCTAssertEqual(kind(of: directory), S_IFDIR)
        XCTAssertEqual(kind(of: fifo), S_IFIFO)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link), fifo)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).sorted(), ["link", "out", "pipe"])
    }

    func testRemovesTheTemporaryFilesOfDeadProcessesOnly() throws {
        let folder = try T.temporaryFolder()
        let path = folder + "/model.onnx"
        let dead = try deadProcessID(), alive = getppid()
        let stale = AtomicFileWriter.temporaryPath(for: path, processID: dead)
        let live = AtomicFileWriter.temporaryPath(for: path, processID: alive)
        let otherTarget = AtomicFileWriter.temporaryPath(for: folder + "/report.md", processID: dead)
        let notAProcess = folder + "/.model.onnx.tmp-backup"
        for leftover in [stale, live, otherTarget, notAProcess] {
            XCTAssertTrue(FileManager.default.createFile(atPath: leftover, contents: Data([7])))
        }
        try AtomicFileWriter.write([1, 2], to: path)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale), "a dead process's temporary file stays")
        for kept in [live, otherTarget, notAProcess] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: kept), kept)
        }
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data([1, 2]))
    }

    func testASignalDuringASaveRemovesItsTemporaryFile() throws {
        for signal in [SIGTERM, SIGINT] {
            let folder = try T.temporaryFolder()
            let target = folder + "/model.safetensors"
            let child = Process()
            child.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0])
            child.arguments = ["CondenseNNTests.AtomicFileWriterSafetyTests/testSignalledSaveChild"]
            child.environment = ProcessInfo.processInfo.environment.merging([Self.childTargetVariable: target]) { $1 }
            child.standardOutput = FileHandle.nullDevice
            child.standardError = FileHandle.nullDevice
            try child.run()
            let temporary = AtomicFileWriter.temporaryPath(for: target, processID: child.processIdentifier)
            let deadline = Date().addingTimeInterval(120)
            while !FileManager.default.fileExists(atPath: target + ".ready"), child.isRunning, Date() < deadline {
                usleep(20_000)
            }
            XCTAssertTrue(FileManager.default.fileExists(atPath: temporary), "the child never started its save")
            kill(child.processIdentifier, signal)
            child.waitUntilExit()
            XCTAssertEqual(child.terminationReason, .uncaughtSignal, "signal \(signal)")
            XCTAssertEqual(child.terminationStatus, signal)
            XCTAssertFalse(FileManager.default.fileExists(atPath: temporary), "signal \(signal) left \(temporary)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: target))
        }
    }

    /// Not a test of its own: the child process of `testASignalDuringASaveRemovesItsTemporaryFile`, which starts a
    /// save and waits inside it to be signalled. Skipped when run any other way.
    func testSignalledSaveChild() throws {
        guard let target = ProcessInfo.processInfo.environment[Self.childTargetVariable] else {
            throw XCTSkip("runs only as the child process of testASignalDuringASaveRemovesItsTemporaryFile")
        }
        try AtomicFileWriter.write(to: target) { output in
            try output.write([UInt8](repeating: 1, count: 4096))
            _ = FileManager.default.createFile(atPath: target + ".ready", contents: nil)
            sleep(120)
        }
    }

    private func kind(of path: String) -> mode_t {
        var status = stat()
        return stat(path, &status) == 0 ? status.st_mode & S_IFMT : 0
    }

    /// The ID of a process that has exited and been reaped.
    private func deadProcessID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        let id = process.processIdentifier
        XCTAssertEqual(kill(id, 0), -1)
        return id
    }
}
