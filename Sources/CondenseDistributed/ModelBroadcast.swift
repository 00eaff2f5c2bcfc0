import CondenseNN

/// Gives every process rank `root`'s model: its parameters and buffers at the start of training, whatever each
/// process initialized or loaded, and its buffers (batch norm's running statistics, which each process updates from
/// its own shards) before every evaluation, as DDP broadcasts them.
public enum ModelBroadcast {
    /// Overwrites `module`'s parameters and buffers, or with `buffersOnly` its buffers, with rank `root`'s.
    public static func synchronize(_ module: Module, over group: any ProcessGroup, from root: Int = 0,
                                   buffersOnly: Bool = false) throws {
        guard group.size > 1 else { return }
        for (_, variable) in (buffersOnly ? [] : module.namedParameters()) + module.namedBuffers() {
            let tensor = variable.value
            var bytes = try tensor.toHostBytes()
            try bytes.withUnsafeMutableBytes { try group.broadcast($0, from: root) }
            try bytes.withUnsafeBytes { try tensor.backend.write($0, to: tensor) }
        }
    }
}
