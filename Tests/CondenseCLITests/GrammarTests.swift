import Condense
@testable import CondenseCommands
import XCTest

/// The grammar every command shares: `--name VALUE`, `--name=VALUE`, `--name` flags, one optional positional word;
/// everything else is a usage error (exit 2) that names the word.
final class GrammarTests: XCTestCase {
    /// Options that make a command line the parser wrongly accepts fail at once (no such data) instead of training.
    private let failsFastIfParsed = ["--device", "cpu", "--data", "/nonexistent/data.npz"]

    private func parseTrain(_ words: [String]) throws -> TrainCommand.Options {
        try ArgumentParser.parse(words, command: "train", options: TrainCommand.options)
    }

    func testBothValueSpellingsAndFlagsFillTheTypedOptions() throws {
        let options = try parseTrain(["--epochs", "3", "--lr=0.01", "--no-augment", "--optimizer", "sgd",
                                      "--model=mobilenetv2", "--width", "0.5", "--seed", "7", "--clip", "2.5",
                                      "--device", "cpu", "--json"])
        XCTAssertEqual(options.training.epochs, 3)
        XCTAssertEqual(options.training.learningRate, 0.01)
        XCTAssertFalse(options.training.augment)
        XCTAssertEqual(options.training.optimizer, .sgd)
        XCTAssertEqual(options.architecture, .mobilenetv2)
        XCTAssertEqual(options.width, 0.5)
        XCTAssertEqual(options.training.seed, 7)
        XCTAssertEqual(options.training.clipNorm, 2.5)
        XCTAssertEqual(options.common.device, .cpu)
        XCTAssertTrue(options.common.json)
    }

    func testSingleDashOptionIsRefusedNotIgnored() {
        CommandLineRun(["train", "-epochs", "1"] + failsFastIfParsed).assertUsageError("'-epochs'", "--epochs")
        CommandLineRun(["evaluate", "-model", "m.safetensors"]).assertUsageError("'-model'")
    }

    func testStrayWordsAreRefused() {
        CommandLineRun(["train", "--epochs", "2", "extra"] + failsFastIfParsed)
            .assertUsageError("unexpected argument 'extra'")
        CommandLineRun(["bench", "gemm", "kernels"]).assertUsageError("unexpected argument 'kernels'")
    }

    func testARepeatedOptionIsRefusedRatherThanTakingTheLastValue() {
        CommandLineRun(["train", "--epochs", "2", "--epochs=3"] + failsFastIfParsed)
            .assertUsageError("--epochs", "more than once")
        CommandLineRun(["train", "--no-augment", "--no-augment"] + failsFastIfParsed)
            .assertUsageError("--no-augment", "more than once")
    }

    func testUnknownOptionsMissingValuesAndValuedFlagsAreRefused() {
        CommandLineRun(["train", "--epoch", "2"]).assertUsageError("unknown option --epoch", "condense train --help")
        CommandLineRun(["train", "--epochs"]).assertUsageError("--epochs needs a value")
        CommandLineRun(["train", "--out", "--epochs", "2"]).assertUsageError("--out needs a value")
        CommandLineRun(["train", "--no-augment=yes"]).assertUsageError("--no-augment is a flag")
        CommandLineRun(["train", "--lr="]).assertUsageError("--lr: expected a number")
    }

    func testClosedSetsAreChecked() {
        CommandLineRun(["train", "--optimizer", "adam"]).assertUsageError("--optimizer", "adamw, sgd", "'adam'")
        CommandLineRun(["train", "--model", "vgg16"]).assertUsageError("--model", "resnet20", "'vgg16'")
        CommandLineRun(["export", "--model", "m", "--out", "o", "--format", "onnx16"])
            .assertUsageError("--format", "onnx, onnx-int8, fp16")
        CommandLineRun(["evaluate", "--model", "m", "--split", "dev"]).assertUsageError("--split", "'dev'")
        CommandLineRun(["prune", "--model", "m", "--sparsity", "0.5", "--scope", "tensor"])
            .assertUsageError("--scope", "layer, global")
        CommandLineRun(["train", "--device", "gpu"]).assertUsageError("--device", "'gpu'")
        CommandLineRun(["bench", "memory"]).assertUsageError("gemm, kernels, train", "'memory'")
        CommandLineRun(["bench"]).assertUsageError("expected a benchmark name")
        CommandLineRun(["distill", "--teacher", "t", "--loss", "dkdd"]).assertUsageError("--loss", "kd, dkd", "'dkdd'")
        CommandLineRun(["run", "--loss", "hinton"]).assertUsageError("--loss", "kd, dkd", "'hinton'")
    }

    func testRequiredOptionsAndCombinationsAreUsageErrors() {
        CommandLineRun(["evaluate"]).assertUsageError("--model", "required")
        CommandLineRun(["export", "--model", "m.safetensors"]).assertUsageError("--out", "required")
        CommandLineRun(["prune", "--model", "m.safetensors"]).assertUsageError("--sparsity", "required")
        CommandLineRun(["distill", "--epochs", "1"]).assertUsageError("--teacher", "required")
        CommandLineRun(["import", "--weights", "w.safetensors"]).assertUsageError("--model", "required")
        CommandLineRun(["quantize", "--model", "m.safetensors"]).assertUsageError("--qat", "--calibrate")
        CommandLineRun(["quantize", "--model", "m.safetensors", "--qat", "--calibrate", "2"])
            .assertUsageError("--qat", "--calibrate")
        CommandLineRun(["distill", "--teacher", "t.safetensors", "--cache-teacher"])
            .assertUsageError("--cache-teacher needs --no-augment")
        CommandLineRun(["distill", "--teacher", "t.safetensors", "--dkd-warmup", "0.1"])
            .assertUsageError("--dkd-warmup needs --loss dkd")
        CommandLineRun(["distill", "--teacher", "t.safetensors", "--loss", "dkd", "--dkd-warmup", "2.5"])
            .assertUsageError("--dkd-warmup", "whole number of steps", "'2.5'")
        CommandLineRun(["distill", "--teacher", "t.safetensors", "--loss", "dkd", "--dkd-beta", "-1"])
            .assertUsageError("--dkd-beta")
        CommandLineRun(["run", "--quick", "--preset", "full"]).assertUsageError("--quick is --preset quick", "full")
        CommandLineRun(["run", "--preset", "long"]).assertUsageError("--preset", "standard, quick, full")
        CommandLineRun(["search", "--budget-bytes", "100000"]).assertUsageError("--teacher", "required")
        CommandLineRun(["search", "--teacher", "t.safetensors"])
            .assertUsageError("exactly one budget", "--budget-bytes", "(got 0)")
        CommandLineRun(["search", "--teacher", "t.safetensors", "--budget-bytes", "1", "--budget-latency-ms", "5"])
            .assertUsageError("exactly one budget", "(got 2)")
        CommandLineRun(["search", "--teacher", "t.safetensors", "--budget-bytes", "1", "--widths", "0.5,,1"])
            .assertUsageError("--widths", "comma-separated width multipliers")
        CommandLineRun(["search", "--teacher", "t.safetensors", "--budget-bytes", "0"])
            .assertUsageError("--budget-bytes", "1…1000000000")
        CommandLineRun(["search", "--teacher", "t.safetensors", "--budget-bytes", "1", "--depths", "3,3,3;2,0,2"])
            .assertUsageError("--depths", "blocks per stage in 1…64", "'3,3,3;2,0,2'")
        CommandLineRun(["search", "--teacher", "t.safetensors", "--budget-bytes", "1", "--student", "resnet20",
                        "--depths", "3,3,3;2,2"])
            .assertUsageError("--depths: resnet20 has 3 stages", "got 2 (2,2)")
    }

    func testUnknownCommandAndBareProgramExitWithTwo() {
        let unknown = CommandLineRun(["trian"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.error.hasPrefix("condense: unknown command 'trian'"))
        XCTAssertEqual(CommandLineRun([]).status, 2)
    }
}
