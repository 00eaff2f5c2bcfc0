# Condense: the two commands of the README's Quick start, and the pieces they are made of.
SWIFT ?= swift
CONDENSE := .build/release/condense

.PHONY: run test test-rusticl deps build clean

## make run — install what is missing, build, and run the main job on the embedded BloodMNIST data.
run: build
	$(CONDENSE) run

## make test — install what is missing, then run every test, optimized as users run the code (OpenCL tests on the
## first OpenCL device, PoCL in CI), the OpenCL parity tests again on a second implementation (test-rusticl), compile
## every kernel as OpenCL C 1.2 with warnings as errors (Scripts/check-kernels.sh), then check the ONNX exports in
## onnxruntime (Scripts/check-onnx.sh), the TFLite exports in LiteRT (Scripts/check-tflite.sh) and data-parallel
## training with two processes under Open MPI (Scripts/check-mpi.sh).
test: deps
	CONDENSE_REQUIRE_OPENCL=$${CONDENSE_REQUIRE_OPENCL:-1} $(SWIFT) test -c release --disable-swift-testing
	$(MAKE) --no-print-directory test-rusticl
	Scripts/check-kernels.sh
	Scripts/check-onnx.sh
	Scripts/check-tflite.sh
	Scripts/check-mpi.sh

## make test-rusticl — the OpenCL parity tests (both formulations) and the cross-backend tests on Mesa's rusticl
## over llvmpipe, selected by CONDENSE_OPENCL_PLATFORM; without the tests that train, or sweep the distillation
## losses' shapes, for minutes there (over 15 minutes for the DKD sweep).
RUSTICL_SLOW := AutogradTests.testTrainingFitsASmallBatch|SoftmaxParityTests.testDistillationLossMatchesTheCPU
RUSTICL_SLOW := $(RUSTICL_SLOW)|DecoupledDistillationParityTests.testLossTermsAndGradientMatchTheCPU
RUSTICL_SLOW := $(RUSTICL_SLOW)|DecoupledDistillationParityTests.testUnderflowingExponentialsAndCertainTargetsMatchTheCPU
RUSTICL_TESTS := CondenseOpenCLTests|KernelBenchmarkTests|AutogradTests|AttentionTransferLossTests|GradientClippingTests|FakeQuantModuleTests|QuantizationTests.testINT8InferenceIsIdenticalOnCPUAndOpenCL
RUSTICL_TESTS := $(RUSTICL_TESTS)|TrainingDivergenceTests.test.*OnOpenCL
test-rusticl: deps
	CONDENSE_REQUIRE_OPENCL=1 CONDENSE_OPENCL_PLATFORM=rusticl RUSTICL_ENABLE=llvmpipe \
	    $(SWIFT) test -c release --disable-swift-testing --filter '$(RUSTICL_TESTS)' --skip '$(RUSTICL_SLOW)'

deps:
	@Scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product condense

clean:
	rm -rf .build
