import Condense
import CondenseCompress
@testable import CondenseCommands
import XCTest

/// Defaults live in the options each command fills, and help shows them with every option's type and range.
final class DefaultsAndHelpTests: XCTestCase {
    func testAnEmptyCommandLineKeepsTheLibraryDefaults() throws {
        let train = try ArgumentParser.parse([], command: "train", options: TrainCommand.options)
        XCTAssertEqual(train.training.epochs, 10)
        XCTAssertEqual(train.training.batchSize, 128)
        XCTAssertEqual(train.training.learningRate, 0.05)
        XCTAssertEqual(train.training.weightDecay, 5e-4)
        XCTAssertEqual(train.training.optimizer, .sgd)
        XCTAssertTrue(train.training.augment)
        XCTAssertEqual(train.training.cropPadding, 0)
        XCTAssertNil(train.training.clipNorm)
        XCTAssertEqual(train.architecture, .resnet20)
        XCTAssertEqual(train.width, 1)
        XCTAssertEqual(train.out, "model.safetensors")
        XCTAssertEqual(train.data.path, "Data/bloodmnist.npz")
        XCTAssertNil(train.common.device)
        XCTAssertFalse(train.common.json)

        let distill = try ArgumentParser.parse(["--teacher", "t"], command: "distill", options: DistillCommand.options)
        XCTAssertEqual(distill.temperature, 4)
        XCTAssertEqual(distill.alpha, 0.9)
        XCTAssertEqual(distill.architecture, .mobilenetv2)
        XCTAssertEqual(distill.width, 0.35)

        let prune = try ArgumentParser.parse(["--model", "m", "--sparsity", "0.5"], command: "prune",
                                             options: PruneCommand.options)
        XCTAssertEqual(prune.pruning.fineTuning.epochs, 2, "fine-tuning runs 2 epochs by default")
        XCTAssertEqual(prune.pruning.sparsity, 0.5)
        XCTAssertEqual(prune.pruning.temperature, 4)
        XCTAssertEqual(prune.pruning.calibrationImages, 1024)
        XCTAssertEqual(prune.pruning.scope, .layerWise)

        let quantize = try ArgumentParser.parse(["--model", "m", "--qat"], command: "quantize",
                                                options: QuantizeCommand.options)
        XCTAssertEqual(quantize.quantization.training.epochs, 1)
        XCTAssertEqual(quantize.quantization.training.learningRate, 2e-4)
        XCTAssertEqual(quantize.quantization.schedule, QuantizationSchedule(freezeObserversAfter: 60,
                                                                            freezeBatchNormAfter: 30))
        let sensitivity = try ArgumentParser.parse(["--model", "m"], command: "sensitivity",
                                                   options: SensitivityCommand.options)
        XCTAssertEqual(sensitivity.analysis.ratios, (1...9).map { Double($0) / 10 })
        XCTAssertTrue(sensitivity.analysis.structured)
        let bench = try ArgumentParser.parse(["train"], command: "bench", options: BenchCommand.options,
                                             positional: BenchCommand.positional)
        XCTAssertEqual(bench.benchmark, .train)
        XCTAssertEqual(bench.training.architecture, .mobilenetv2)
        XCTAssertEqual(bench.training.width, 0.35)
        XCTAssertEqual(bench.training.imageSize, 28)
    }

    /// `run` starts from its preset and takes the loss, budget and seed from the command line.
    func testRunBuildsItsRecipeFromThePresetAndTheCommandLine() throws {
        let standard = RunCommand.settings(try ArgumentParser.parse([], command: "run", options: RunCommand.options))
        XCTAssertEqual(standard, PipelineSettings())
        let full = RunCommand.settings(try ArgumentParser.parse(
            ["--preset", "full", "--loss", "dkd", "--budget-bytes", "150000", "--seed", "3"], command: "run",
            options: RunCommand.options))
        XCTAssertEqual([full.teacherEpochs, full.studentEpochs, full.pruneEpochs, full.qatEpochs], [40, 40, 10, 3])
        XCTAssertEqual(full.distillationLoss, .dkd)
        XCTAssertEqual(full.budgetBytes, 150_000)
        XCTAssertEqual(full.seed, 3)
        let quick = RunCommand.settings(try ArgumentParser.parse(["--quick"], command: "run",
                                                                 options: RunCommand.options))
        XCTAssertEqual(quick, PipelineSettings.quick)
    }

    /// `train`, `distill`, `prune`, `quantize` and `run` start from one recipe, `TrainingOptions`' defaults: the same
    /// optimizer, weight decay, batch and augmentation; training's learning rate, prune's fine-tuning rate and
    /// QAT's own AdamW 2e-4 are the ones `condense run` uses.
    func testEveryCommandAndRunStartFromTheSameRecipe() throws {
        let recipe = TrainingOptions(), run = PipelineSettings()
        let train = try ArgumentParser.parse([], command: "train", options: TrainCommand.options).training
        let distill = try ArgumentParser.parse(["--teacher", "t"], command: "distill",
                                               options: DistillCommand.options).training
        let prune = try ArgumentParser.parse(["--model", "m", "--sparsity", "0.5"], command: "prune",
                                             options: PruneCommand.options).pruning.fineTuning
        let qat = try ArgumentParser.parse(["--model", "m", "--qat"], command: "quantize",
                                           options: QuantizeCommand.options).quantization.training
        for (name, options) in [("train", train), ("distill", distill), ("prune", prune), ("quantize", qat)] {
            XCTAssertEqual(options.weightDecay, recipe.weightDecay, name)
            XCTAssertEqual(options.batchSize, run.batchSize, name)
            XCTAssertEqual(options.augment, recipe.augment, name)
            XCTAssertEqual(options.cropPadding, run.cropPadding, name)
        }
        for (name, options) in [("train", train), ("distill", distill), ("prune", prune)] {
            XCTAssertEqual(options.optimizer, run.optimizer, name)
        }
        XCTAssertEqual(run.optimizer, .sgd)
        XCTAssertEqual(run.learningRate, 0.05)
        XCTAssertEqual(run.cropPadding, 0)
        XCTAssertEqual(train.learningRate, run.learningRate)
        XCTAssertEqual(distill.learningRate, run.learningRate)
        XCTAssertEqual(prune.learningRate, run.fineTuningLearningRate)
        XCTAssertEqual(run.fineTuningLearningRate, 0.01)
        XCTAssertEqual(qat.optimizer, .adamw)
        XCTAssertEqual(qat.learningRate, 2e-4)
    }

    func testGeneralHelpListsEveryCommand() {
        let run = CommandLineRun(["--help"])
        XCTAssertEqual(run.status, 0)
        for command in ["devices", "train", "distill", "import", "sensitivity", "prune", "quantize", "evaluate",
                        "export", "run", "bench"] {
            XCTAssertTrue(run.output.contains("\n  \(command) "), "condense --help lacks \(command)")
        }
        XCTAssertTrue(run.output.contains("Exit status: 0 success, 1 failure, 2 usage error"))
    }

    func testEveryCommandsHelpListsEveryOptionWithTypeAndDefault() {
        for command in CondenseCommandLine.commands {
            let run = CommandLineRun([command.name, "--help"])
            XCTAssertEqual(run.status, 0, command.name)
            XCTAssertTrue(run.output.hasPrefix("usage: condense \(command.name)"), command.name)
            for name in command.optionNames {
                XCTAssertTrue(run.output.contains("  --\(name)"), "\(command.name) --help lacks --\(name)")
            }
        }
        let train = CommandLineRun(["train", "-h"]).output
        XCTAssertTrue(train.contains("--epochs INT "))
        XCTAssertTrue(train.contains("training epochs, range 1…100000 (default 10)"))
        XCTAssertTrue(train.contains("cosine decay), range (0, 10] (default 0.05)"))
        XCTAssertTrue(train.contains("--optimizer adamw|sgd "))
        XCTAssertTrue(train.contains("Nesterov) (default sgd)"))
        let prune = CommandLineRun(["prune", "--help"]).output
        XCTAssertTrue(prune.contains("training epochs, range 0…100000 (default 2)"))
        XCTAssertTrue(prune.contains("weights (unstructured), range [0, 1) (required)"))
        let quantize = CommandLineRun(["quantize", "--help"]).output
        XCTAssertTrue(quantize.contains("(default 0.0002)"))
        XCTAssertTrue(quantize.contains("temperature T, range 0.05…100 (default 4)"))
        XCTAssertTrue(CommandLineRun(["export", "--help"]).output
            .contains("--format onnx|onnx-int8|fp16|tflite|tflite-int8 "))
    }
}

extension Command {
    /// The names of the options it declares.
    static var optionNames: [String] { options.map(\.name) }
}
