/// Whether a driver's profiling events can be believed. Some drivers answer the profiling queries with
/// `CL_SUCCESS` and made-up timestamps (Mesa's rusticl 22.3 reports 0, 1, 2, 3 ns, so a 64 MB copy "took" a
/// nanosecond); an in-order queue's commands cannot take longer than the wall time around them, and no command
/// finishes in under a thousandth of it.
public enum DeviceClockCheck {
    /// The most the wall time around a sample may exceed its device time by, as a factor, before the events are
    /// taken for made up: enqueueing and waking a driver cost far less than 1,000 times the work itself.
    public static let maxWallToDeviceRatio = 1_000.0

    /// How a report names times taken by the wall clock because the events were implausible.
    public static let fallbackSource = "wall clock (the driver's profiling events were implausible)"

    /// Whether `deviceSeconds`, summed from the events of commands that ran within `wallSeconds`, is believable:
    /// positive, at least a thousandth of the wall time, and no more than the wall time (with 10 % and a
    /// millisecond of slack for the two clocks; an event that ends before it starts sums to centuries).
    public static func isPlausible(deviceSeconds: Double, wallSeconds: Double) -> Bool {
        deviceSeconds.isFinite && deviceSeconds > 0 && deviceSeconds * maxWallToDeviceRatio >= wallSeconds
            && deviceSeconds <= wallSeconds * 1.1 + 1e-3
    }
}
