import Foundation

/// When an evaluation also writes the checkpoint. Writing it (parameters and optimizer state,
/// three times the parameters, synced to disk) costs about as much as the evaluation itself, so
/// it is written on a wall-time interval, not at every evaluation: at the first evaluation of
/// a fresh run, then at the first evaluation `interval` seconds after the last one, at the
/// end of a completed run and when a run is stopped (Ctrl-C, SIGTERM, SIGHUP). A run killed
/// hard resumes from its last checkpoint and recomputes the evaluations after it, which come
/// out identical (the metrics rows, HTSR rows and snapshots it wrote after the checkpoint are
/// replaced). Interval 0: a checkpoint at every evaluation.
public struct CheckpointPolicy: Sendable {
    public static let defaultInterval = 60.0
    public let interval: Double
    public init(interval: Double) { self.interval = interval }

    /// Whether the evaluation at `now` writes one; `last` is when the latest was written (nil:
    /// none yet in this run directory).
    func writes(now: Double, last: Double?) -> Bool {
        guard let last else { return true }
        return now - last >= interval
    }
}
