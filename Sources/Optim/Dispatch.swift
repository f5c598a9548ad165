import Dispatch

enum DispatchQueueShim {
    @inline(__always)
    static func concurrentPerform(iterations: Int, execute: @Sendable (Int) -> Void) {
        DispatchQueue.concurrentPerform(iterations: iterations, execute: execute)
    }
}
