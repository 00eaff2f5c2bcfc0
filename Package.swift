// swift-tools-version:6.0
// Condense: train, distil and compress neural networks on OpenCL GPUs, with a CPU backend as fallback and reference.
import PackageDescription

let package = Package(
    name: "Condense",
    products: [
        .executable(name: "condense", targets: ["CondenseCLI"]),
        .library(name: "Condense", targets: ["Condense"]),
    ],
    targets: [
        // MARK: - System libraries
        .systemLibrary(name: "COpenCL", pkgConfig: "OpenCL",
                       providers: [.apt(["ocl-icd-opencl-dev", "opencl-headers", "libclblast-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        // Small GEMMs for the CPU backend's convolutions, one variant per instruction set chosen at run time.
        .target(name: "CCondenseKernels"),
        // Image decoders for CondenseData's image folders: libpng and libjpeg-turbo behind C that catches their
        // longjmp errors; DCMTK (C++) behind an extern "C" surface.
        .target(name: "CImageCodecs", linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("jpeg")]),
        .target(name: "CDicom", linkerSettings: ["dcmimage", "dcmjpeg", "dcmjpls", "dcmtkcharls", "ijg8", "ijg12", "ijg16",
                                                 "dcmimgle", "dcmdata", "oflog", "ofstd"].map { .linkedLibrary($0) }),

        // MARK: - Build tooling: Kernels/*.cl compiled into the binary
        .executableTarget(name: "EmbedKernels", path: "Sources/EmbedKernels"),
        .plugin(name: "EmbedKernelsPlugin", capability: .buildTool(), dependencies: ["EmbedKernels"]),

        // MARK: - Library layers (each depends only on the ones below it)
        .target(name: "CondenseCore"),
        .target(name: "CondenseCPU", dependencies: ["CondenseCore", "CBLAS", "CCondenseKernels"]),
        .target(name: "CondenseOpenCL", dependencies: ["CondenseCore", "COpenCL"],
                plugins: ["EmbedKernelsPlugin"]),
        .target(name: "CondenseData", dependencies: ["CondenseCore", "CZlib", "CImageCodecs", "CDicom"]),
        .target(name: "CondenseNN", dependencies: ["CondenseCore"]),
        .target(name: "CondenseCompress", dependencies: ["CondenseNN"]),
        // Data-parallel jobs: the process group (Open MPI under mpirun, else one process) and its collectives.
        .target(name: "CondenseDistributed", dependencies: ["CondenseCore", "CondenseNN", "CMPI"]),
        .target(name: "CondenseTraining", dependencies: ["CondenseCore", "CondenseData", "CondenseNN",
                                                         "CondenseDistributed"]),
        .target(name: "Condense", dependencies: ["CondenseCore", "CondenseCPU", "CondenseOpenCL", "CondenseData",
                                                 "CondenseNN", "CondenseCompress", "CondenseTraining"]),
        // Benchmarks of kernels and training steps, for `condense bench`.
        .target(name: "CondenseBench", dependencies: ["CondenseCore", "CondenseNN", "CondenseDistributed"]),

        // MARK: - Command-line tool: the commands and their parser in a library (tests import it), a tiny executable
        .target(name: "CondenseCommands", dependencies: ["Condense", "CondenseBench"]),
        .executableTarget(name: "CondenseCLI", dependencies: ["CondenseCommands"]),

        // MARK: - Tests
        .target(name: "CondenseTestSupport", dependencies: ["CondenseCore", "CondenseCPU", "CondenseOpenCL", "CondenseData"],
                path: "Tests/CondenseTestSupport"),
        // PNG and JPEG fixtures written through the libraries the readers use.
        .target(name: "CImageWriters", path: "Tests/CImageWriters",
                linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("jpeg")]),
        .testTarget(name: "CondenseCPUTests", dependencies: ["CondenseCPU", "CondenseTestSupport"]),
        .testTarget(name: "CondenseOpenCLTests", dependencies: ["CondenseOpenCL", "CondenseTestSupport"]),
        .testTarget(name: "CondenseDataTests", dependencies: ["CondenseData", "CondenseTestSupport", "CImageWriters"]),
        .testTarget(name: "CondenseNNTests", dependencies: ["CondenseNN", "CondenseTestSupport"]),
        .testTarget(name: "CondenseCompressTests", dependencies: ["CondenseCompress", "CondenseTestSupport"]),
        .testTarget(name: "CondenseTests", dependencies: ["Condense", "CondenseTestSupport"]),
        .testTarget(name: "CondenseFuzzTests", dependencies: ["CondenseData", "CondenseNN", "CondenseTestSupport",
                                                               "CImageWriters"]),
        .testTarget(name: "CondenseCLITests", dependencies: ["CondenseCommands", "Condense", "CondenseTestSupport",
                                                              "CImageWriters"]),
        .testTarget(name: "CondenseDistributedTests", dependencies: ["CondenseDistributed", "CondenseTraining",
                                                                     "CondenseTestSupport"]),
        .testTarget(name: "CondenseBenchTests", dependencies: ["CondenseBench", "CondenseTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
