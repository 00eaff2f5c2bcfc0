import CondenseCore

/// How the streaming kernels split contiguous data over work-items on one device (`Kernels/common.cl`'s vector
/// chunks): each work-item takes `vectorsPerItem` vectors of `vectorWidth` floats.
///
/// A GPU gets one `float4` per work-item in work-groups of 64 (fewer where the driver allows fewer,
/// `fitting(groupLimit:)`), so neighbouring work-items read neighbouring vectors (coalesced). A CPU driver such as
/// PoCL runs each work-group as a loop over its work-items; there one work-item takes 256 contiguous floats as a
/// vectorized loop (AVX-512 width), which amortizes per-item setup (index arithmetic, 1/s) and keeps each thread
/// streaming through memory, and reductions need no local-memory tree.
public struct ChunkTiling: Equatable, Sendable {
    /// `VEC`: floats per vector load (1, 2, 4, 8 or 16).
    public let vectorWidth: Int
    /// `ITEMS`: vectors per work-item.
    public let vectorsPerItem: Int
    /// Work-items per work-group along the chunked dimension.
    public let groupSize: Int
    /// Work-items per work-group of the kernels that share a local-memory tile (one on a CPU driver, whose
    /// barriers would split the work-item loops).
    public let tileGroupSize: Int

    /// Floats per work-item.
    public var chunk: Int { vectorWidth * vectorsPerItem }

    /// Whether this is the CPU drivers' tiling (one work-item per group, long vector loops): the kernels written
    /// for that formulation (softmax rows per work-item, depthwise row kernels, `gemm.cl`) take over from the GPU
    /// ones then.
    public var isForCPUDriver: Bool { groupSize == 1 }

    /// The `-D` defines the kernels read.
    public var defines: [String: Int] { ["VEC": vectorWidth, "ITEMS": vectorsPerItem] }

    /// The formulation a device gets: the CPU drivers' one on PoCL's CPU devices, for which it was written and
    /// measured; the GPU one everywhere else, GPUs and other implementations' CPU-type devices alike. Mesa's rusticl
    /// on llvmpipe runs a work-group's work-items as the lanes of its SIMD registers, as a GPU runs a warp, so one
    /// work-item per group there wastes most of each vector; the GPU formulation ran faster on it (figures in
    /// Benchmarks/RESULTS.md).
    public static func forDevice(_ info: DeviceInfo) -> ChunkTiling {
        forDevice(isGPU: info.isGPU || !info.platform.hasPrefix(pocl))
    }

    /// `CL_PLATFORM_NAME` of PoCL.
    static let pocl = "Portable Computing Language"

    /// The tiling for a GPU (`isGPU`) or a CPU OpenCL device.
    public static func forDevice(isGPU: Bool) -> ChunkTiling {
        isGPU ? ChunkTiling(vectorWidth: 4, vectorsPerItem: 1, groupSize: 64, tileGroupSize: 256)
              : ChunkTiling(vectorWidth: 16, vectorsPerItem: 16, groupSize: 1, tileGroupSize: 1)
    }

    /// Work-groups along a row of `elements` floats: its chunks, rounded up to whole groups.
    public func groups(alongRowOf elements: Int) -> Int { ceilDiv(ceilDiv(elements, chunk), groupSize) }

    /// The [segments, rows] range of a kernel that gives each work-item one chunk of a row (common.cl's ROW_CHUNK)
    /// over `rows` rows of `rowLength` floats, padded to whole work-groups along the rows.
    public func rowRange(rowLength: Int, rows: Int) -> (global: [Int], local: [Int]) {
        ([groups(alongRowOf: rowLength) * groupSize, rows], [groupSize, 1])
    }

    /// `rowRange` for the kernels that loop FOR_EACH_ROW (common.cl) over `rows` rows of `rowLength` floats, with
    /// their defines: on a CPU driver a row shorter than a chunk shares its work-item with its neighbours (`ROWS` of
    /// them, about a chunk in all) and is read in vectors no wider than itself.
    public func rowBlocks(rowLength: Int, rows: Int) -> (global: [Int], local: [Int], defines: [String: Int]) {
        let perItem = isForCPUDriver ? max(1, chunk / max(rowLength, 1)) : 1
        var defines = self.defines.merging(["ROWS": perItem]) { $1 }
        if perItem > 1 {
            let width = min(vectorWidth, 1 << (Int.bitWidth - 1 - max(rowLength, 1).leadingZeroBitCount))
            (defines["VEC"], defines["ITEMS"]) = (width, chunk / width)
        }
        let range = rowRange(rowLength: rowLength, rows: ceilDiv(rows, perItem))
        return (range.global, range.local, defines)
    }
}
