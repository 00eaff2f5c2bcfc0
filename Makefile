# Condense: the two commands of the README's Quick start, and the pieces they are made of.
SWIFT ?= swift
CONDENSE := .build/release/condense

.PHONY: run test deps build clean

## make run — install what is missing, build, and run the main job on the embedded BloodMNIST data.
run: build
	$(CONDENSE) run

## make test — install what is missing, then run every test, optimized as users run the code (OpenCL tests on the
## first OpenCL device, PoCL in CI), then check the ONNX exports in onnxruntime (Scripts/check-onnx.sh), the TFLite
## exports in LiteRT (Scripts/check-tflite.sh) and data-parallel training with two processes under Open MPI
## (Scripts/check-mpi.sh).
test: deps
	CONDENSE_REQUIRE_OPENCL=$${CONDENSE_REQUIRE_OPENCL:-1} $(SWIFT) test -c release --disable-swift-testing
	Scripts/check-onnx.sh
	Scripts/check-tflite.sh
	Scripts/check-mpi.sh

deps:
	@Scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product condense

clean:
	rm -rf .build
