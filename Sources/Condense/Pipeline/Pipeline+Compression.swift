import CondenseCompress
import CondenseCore
import CondenseNN
import Foundation

/// The stages that compress the student: sensitivity analysis, structured pruning with distillation fine-tuning,
/// INT8 quantization-aware training, and export.
extension Pipeline {
    /// Each of the student's channel groups pruned alone at every ratio of the settings, on validation images
    /// (`sensitivity.json`, `sensitivity.svg`); reused when an earlier run left it. In a data-parallel job rank 0
    /// measures it and sends it to the others, so every process prunes the same channels.
    func analyseSensitivity() throws -> SensitivityProfile {
        let file = path("sensitivity.json")
        let earlier: SensitivityProfile? = try group.primaryDecides {
            FileManager.default.fileExists(atPath: file) ? try? SensitivityProfile(contentsOf: file) : nil
        }
        if let earlier {
            progress(.note("== sensitivity: done earlier, kept sensitivity.json"))
            return earlier
        }
        progress(.started(stage: "sensitivity", what: "prune each channel group of the student alone at " +
                          "\(settings.sensitivityRatios) on \(settings.sensitivityImages) validation images"))
        do {
            return try group.primaryDecides {
                let student = try TrainedModel.load(path("student.safetensors"), on: backend)
                var options = SensitivityOptions()
                options.ratios = settings.sensitivityRatios
                options.maxImages = settings.sensitivityImages
                let profile = try SensitivityAnalysis.run(student, on: dataset, options: options)
                try profile.chart(title: "Sensitivity of the student's channel groups")
                    .write(to: path("sensitivity.svg"))
                try profile.write(to: file)
                return profile
            }
        } catch {
            throw PipelineError(stage: "sensitivity", underlying: error)
        }
    }

    /// Removes the student's least important channels (per-group ratios from the sensitivity profile, overall
    /// `pruneRatio`), then fine-tunes with distillation from the teacher (`pruned.safetensors`).
    func pruneStudent(sensitivity: SensitivityProfile) throws -> StageRecord {
        let percent = Int((settings.pruneRatio * 100).rounded())
        let what = "\(settings.studentArchitecture) ×\(settings.studentWidth), \(percent)% channels removed"
        return try stage("pruned", what: "\(what), \(settings.pruneEpochs) epochs of distillation fine-tuning") {
            let student = try TrainedModel.load(path("student.safetensors"), on: backend)
            let teacher = try TrainedModel.load(path("teacher.safetensors"), on: backend)
            var options = PruningOptions(sparsity: settings.pruneRatio, structured: true)
            options.sensitivity = sensitivity
            options.fineTuning = trainingOptions(epochs: settings.pruneEpochs)
            options.fineTuning.learningRate = settings.fineTuningLearningRate
            options.temperature = settings.temperature
            options.alpha = settings.alpha
            let curve = CurveRecorder(progress)
            let result = try PruningPipeline.run(student, on: dataset, options: options, teacher: teacher,
                                                 checkpointPath: path("pruned.safetensors"), progress: curve.handle)
            return try record("pruned", model: what, file: "pruned.safetensors", test: result.test, curve: curve)
        }
    }

    /// Quantization-aware training of the pruned student with distillation, converted to INT8
    /// (`int8.safetensors`: int8 weights, scales and zero points).
    func quantizeStudent() throws -> StageRecord {
        let what = "pruned student, INT8 (int8 weights per channel, uint8 activations)"
        return try stage("int8", what: "\(settings.qatEpochs) epoch(s) of quantization-aware training, \(what)") {
            let pruned = try TrainedModel.load(path("pruned.safetensors"), on: backend)
            let teacher = try TrainedModel.load(path("teacher.safetensors"), on: backend)
            var options = QuantizationOptions()
            options.training.epochs = settings.qatEpochs
            options.training.batchSize = settings.batchSize
            options.training.seed = settings.seed
            options.training.cropPadding = settings.cropPadding
            options.temperature = settings.temperature
            options.alpha = settings.alpha
            let curve = CurveRecorder(progress)
            let result = try Quantization.quantizeAwareTraining(pruned, on: dataset, options: options, teacher: teacher,
                                                                progress: curve.handle)
            if group.isPrimary { try result.model.save(to: path("int8.safetensors")) }
            // Split over the job's processes; its allreduce also waits for rank 0's file, which `record` reads.
            let test = try Evaluation.evaluate(result.model, on: dataset.test, dataset: dataset, over: group)
            return try record("int8", model: what, file: "int8.safetensors", test: test, curve: curve)
        }
    }

    /// The deployment files: ONNX and TFLite FP32 of the pruned model, ONNX INT8 (QDQ) and TFLite INT8 of the
    /// quantized one, FP16 safetensors. The `final` record is the INT8 model with the INT8 ONNX file's size. In a
    /// data-parallel job rank 0 alone exports.
    func export(int8: StageRecord) throws -> StageRecord {
        try stage("final", primaryOnly: true, what: "export model-fp32.onnx, model-int8.onnx, model-fp32.tflite, " +
                  "model-int8.tflite and model-fp16.safetensors") {
            try DeploymentExports.write(float: path("pruned.safetensors"), int8: path("int8.safetensors"), into: folder,
                                        on: backend) { progress(.note($0)) }
            let size = (try FileManager.default.attributesOfItem(atPath: path("model-int8.onnx"))[.size] as? Int) ?? 0
            return StageRecord(stage: "final", model: "INT8 ONNX (QDQ), deployed", file: "model-int8.onnx",
                               accuracy: int8.accuracy, auc: int8.auc, parameters: int8.parameters,
                               nonzeroParameters: int8.nonzeroParameters, sizeBytes: size,
                               imagesPerSecond: int8.imagesPerSecond, wallSeconds: 0, history: [],
                               warnings: nil)
        }
    }
}
