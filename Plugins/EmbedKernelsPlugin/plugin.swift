import Foundation
import PackagePlugin

/// Turns the package's top-level `Kernels/*.cl` files into one Swift source of string literals, so an installed or
/// moved binary carries its OpenCL kernels with it.
@main
struct EmbedKernelsPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let kernelsFolder = context.package.directoryURL.appending(path: "Kernels")
        let kernelFiles = try FileManager.default
            .contentsOfDirectory(at: kernelsFolder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "cl" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedKernels.swift")
        return [.buildCommand(
            displayName: "Embedding \(kernelFiles.count) OpenCL kernel files",
            executable: try context.tool(named: "EmbedKernels").url,
            arguments: [output.path] + kernelFiles.map(\.path),
            inputFiles: kernelFiles,
            outputFiles: [output])]
    }
}
