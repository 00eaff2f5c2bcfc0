// CondenseCompress: knowledge distillation (Hinton KD, attention transfer), pruning (sensitivity analysis,
// magnitude and channel pruning), INT8 quantization (QAT and post-training) and export (ONNX, safetensors).
// It builds on CondenseNN's layers and autograd; its contents arrive with the compression issues.
