import Foundation

/// What an observer does on other threads while training goes on (the HTSR analysis of
/// snapshots, live report builds): on a machine whose cores the training threads already use,
/// that work slows the steps it overlaps. The trainer records it (timing.csv) and the ETA
/// models it.
public struct BackgroundWork: Sendable, Equatable {
    /// Seconds of background work so far, the job in progress included.
    public var busySeconds: Double
    /// Snapshots handed over and not yet analysed (the one in progress included).
    public var pending: Int
    /// Snapshots analysed so far, and the seconds their analyses took (jobs done only).
    public var completed: Int
    public var completedSeconds: Double
    /// Seconds the training thread waited to hand a snapshot over (the queue was full), and
    /// how many snapshots the queue holds before it makes the trainer wait (0: no limit).
    public var waitSeconds: Double
    public var capacity: Int

    public init(busySeconds: Double = 0, pending: Int = 0, completed: Int = 0, completedSeconds: Double = 0,
                waitSeconds: Double = 0, capacity: Int = 0) {
        self.busySeconds = busySeconds; self.pending = pending; self.completed = completed
        self.completedSeconds = completedSeconds; self.waitSeconds = waitSeconds; self.capacity = capacity
    }

    public static let idle = BackgroundWork()

    public static func + (a: BackgroundWork, b: BackgroundWork) -> BackgroundWork {
        BackgroundWork(busySeconds: a.busySeconds + b.busySeconds, pending: a.pending + b.pending,
                       completed: a.completed + b.completed, completedSeconds: a.completedSeconds + b.completedSeconds,
                       waitSeconds: a.waitSeconds + b.waitSeconds, capacity: max(a.capacity, b.capacity))
    }
}

/// Counts one background queue's work, thread-safely: `enqueued` on the training thread,
/// `begin`/`end` around each job on the queue.
public final class BackgroundMeter: @unchecked Sendable {
    private let lock = NSLock()
    private var busy = 0.0, pending = 0, completed = 0, waited = 0.0
    private var jobStart: Double?
    public let capacity: Int

    /// `capacity`: snapshots the queue holds before the trainer must wait (0: no limit).
    public init(capacity: Int = 0) { self.capacity = capacity }

    static func now() -> Double {
        var ts = timespec(); clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// A snapshot was handed over, after `waiting` seconds for room in the queue.
    public func enqueued(waiting: Double = 0) { lock.lock(); pending += 1; waited += waiting; lock.unlock() }
    public func begin() { lock.lock(); jobStart = Self.now(); lock.unlock() }
    public func end() {
        lock.lock()
        if let s = jobStart { busy += Self.now() - s }
        jobStart = nil
        pending = max(0, pending - 1)
        completed += 1
        lock.unlock()
    }

    public var work: BackgroundWork {
        lock.lock(); defer { lock.unlock() }
        return BackgroundWork(busySeconds: busy + (jobStart.map { Self.now() - $0 } ?? 0), pending: pending,
                              completed: completed, completedSeconds: busy, waitSeconds: waited, capacity: capacity)
    }
}
