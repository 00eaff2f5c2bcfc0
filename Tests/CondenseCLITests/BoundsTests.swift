@testable import CondenseCommands
import XCTest

/// Values with no meaning are refused from the command line alone (exit 2), with the flag and its range in the
/// message: overflowing integers, infinities, absurd sizes.
final class BoundsTests: XCTestCase {
    private let absurd: [(words: [String], flag: String, range: String)] = [
        (["train", "--epochs", "9223372036854775807"], "--epochs", "1…100000"),
        (["train", "--epochs", "0"], "--epochs", "1…100000"),
        (["train", "--epochs", "99999999999999999999"], "--epochs", "1…100000"),
        (["train", "--batch", "9223372036854775807"], "--batch", "1…65536"),
        (["evaluate", "--model", "m", "--batch", "9223372036854775807"], "--batch", "1…65536"),
        (["train", "--width", "1000000"], "--width", "0.015625…8"),
        (["train", "--width", "inf"], "--width", "0.015625…8"),
        (["train", "--width", "1e30"], "--width", "0.015625…8"),
        (["train", "--width", "nan"], "--width", "0.015625…8"),
        (["bench", "train", "--image-size", "100000"], "--image-size", "1…1024"),
        (["train", "--lr", "inf"], "--lr", "(0, 10]"),
        (["train", "--lr", "1e30"], "--lr", "(0, 10]"),
        (["train", "--lr", "-1"], "--lr", "(0, 10]"),
        (["train", "--lr", "0"], "--lr", "(0, 10]"),
        (["train", "--weight-decay", "inf"], "--weight-decay", "[0, 1)"),
        (["train", "--label-smoothing", "1"], "--label-smoothing", "[0, 1)"),
        (["train", "--clip", "0"], "--clip", "(0, 1000000]"),
        (["train", "--crop-padding", "-1"], "--crop-padding", "0…4096"),
        (["distill", "--teacher", "t", "--temperature", "1e-30"], "--temperature", "0.05…100"),
        (["distill", "--teacher", "t", "--temperature", "1e30"], "--temperature", "0.05…100"),
        (["distill", "--teacher", "t", "--alpha", "1.5"], "--alpha", "0…1"),
        (["distill", "--teacher", "t", "--attention", "inf"], "--attention", "0…1000"),
        (["prune", "--model", "m", "--sparsity", "1"], "--sparsity", "[0, 1)"),
        (["prune", "--model", "m", "--sparsity", "0.5", "--temperature", "0"], "--temperature", "0.05…100"),
        (["quantize", "--model", "m", "--calibrate", "1000000000"], "--calibrate", "1…100000"),
        (["quantize", "--model", "m", "--qat", "--freeze-bn-after", "0"], "--freeze-bn-after", "1…100000000"),
        (["sensitivity", "--model", "m", "--ratios", "0.1,1.2"], "--ratios", "[0, 1)"),
        (["sensitivity", "--model", "m", "--ratios", "0.1,,0.2"], "--ratios", "[0, 1)"),
        (["import", "--weights", "w", "--model", "resnet20", "--std", "0"], "--std", "(0, 10]"),
        (["bench", "train", "--steps", "9"], "--steps", "10…100000"),
    ]

    func testAbsurdValuesAreUsageErrorsNamingFlagAndRange() {
        for (words, flag, range) in absurd {
            let run = CommandLineRun(words)
            XCTAssertEqual(run.status, 2, "\(words.joined(separator: " ")): \(run.error)")
            XCTAssertTrue(run.error.contains(flag + ":") && run.error.contains(range),
                          "\(words.joined(separator: " ")): '\(run.error)' lacks \(flag) or \(range)")
        }
    }

    func testTheEndsOfEachRangeAreAccepted() throws {
        let low = try ArgumentParser.parse(["--epochs", "1", "--batch", "1", "--lr", "10", "--weight-decay", "0",
                                            "--width", "8", "--crop-padding", "0"],
                                           command: "train", options: TrainCommand.options)
        XCTAssertEqual(low.training.epochs, 1)
        XCTAssertEqual(low.training.learningRate, 10)
        XCTAssertEqual(low.width, 8)
        XCTAssertEqual(low.training.cropPadding, 0)
        let high = try ArgumentParser.parse(["--epochs", "100000", "--batch", "65536", "--width", "0.015625"],
                                            command: "train", options: TrainCommand.options)
        XCTAssertEqual(high.training.batchSize, 65_536)
        XCTAssertEqual(high.width, 0.015625)
        let pruning = try ArgumentParser.parse(["--model", "m", "--sparsity", "0", "--epochs", "0"], command: "prune",
                                               options: PruneCommand.options)
        XCTAssertEqual(pruning.pruning.fineTuning.epochs, 0, "prune may skip fine-tuning")
        XCTAssertEqual(try BoundsTests.temperature("0.05"), 0.05)
        XCTAssertEqual(try BoundsTests.temperature("100"), 100)
    }

    func testBoundsDescribeThemselves() {
        XCTAssertEqual(Bounds.within(1...100_000).text, "1…100000")
        XCTAssertEqual(Bounds<Float>.above(0, upTo: 10).text, "(0, 10]")
        XCTAssertEqual(Bounds<Double>.from(0, below: 1).text, "[0, 1)")
        XCTAssertFalse(Bounds<Double>.from(0, below: 1).contains(.nan))
        XCTAssertFalse(Bounds<Double>.from(0, below: 1).contains(1))
        XCTAssertTrue(Bounds<Double>.from(0, below: 1).contains(0))
    }

    private static func temperature(_ text: String) throws -> Float {
        try ArgumentParser.parse(["--teacher", "t", "--temperature", text], command: "distill",
                                 options: DistillCommand.options).temperature
    }
}
