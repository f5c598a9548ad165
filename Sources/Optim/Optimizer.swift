import GrokCore

/// An in-place update rule over a flat parameter buffer (see Model's MLP). The trainer
/// checkpoints `stepCount` and `stateBuffers()` and restores them with `restore`.
public protocol Optimizer<Scalar>: AnyObject {
    associatedtype Scalar: BLASScalar
    var stepCount: Int { get }
    /// One update of `parameters` given `gradients` (same count). No allocation.
    func step(parameters: UnsafeMutableBufferPointer<Scalar>, gradients: UnsafeBufferPointer<Scalar>)
    /// Named state buffers for checkpoints (PyTorch names, e.g. "exp_avg", "exp_avg_sq").
    func stateBuffers() -> [(name: String, values: [Scalar])]
    /// Restores state saved by stateBuffers(); GrokError on a missing or wrong-size buffer.
    func restore(stepCount: Int, buffers: [String: [Scalar]]) throws
}

/// Copies `values` into an owned buffer after checking its presence and size.
func restoreBuffer<T>(_ name: String, optimizer: String, from buffers: [String: [T]],
                      into dst: UnsafeMutableBufferPointer<T>) throws {
    guard let values = buffers[name] else {
        throw GrokError("\(optimizer) state: missing buffer \"\(name)\"")
    }
    guard values.count == dst.count else {
        throw GrokError("\(optimizer) state: buffer \"\(name)\" has \(values.count) values, expected \(dst.count)")
    }
    _ = dst.update(from: values)
}

/// Runs body(range) over `count` elements split into `threads` contiguous chunks (aligned to
/// 64 elements so no two threads share a cache line). Elementwise bodies give bit-identical
/// results for any thread count.
@inline(__always)
func forEachChunk(count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
    let t = max(1, min(threads, count / 4096))
    if t == 1 { body(0..<count); return }
    let per = ((count + t - 1) / t + 63) & ~63
    withoutActuallyEscaping(body) { body in
        let task = ChunkTask(body: body)
        DispatchQueueShim.concurrentPerform(iterations: t) { i in
            let lo = min(count, i * per), hi = min(count, lo + per)
            if lo < hi { task.body(lo..<hi) }
        }
    }
}

/// The chunk body shared by the worker threads. Safe to send: each thread touches a
/// disjoint range of the buffers, and the body outlives concurrentPerform, which joins.
struct ChunkTask: @unchecked Sendable { let body: (Range<Int>) -> Void }
