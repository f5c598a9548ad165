import Dispatch

/// Runs `parts` closures at once on GCD's worker threads (the sparse kernels' row split).
enum DispatchQueueRunner {
    @inline(__always)
    static func run(_ parts: Int, _ body: @Sendable (Int) -> Void) {
        DispatchQueue.concurrentPerform(iterations: parts, execute: body)
    }
}
