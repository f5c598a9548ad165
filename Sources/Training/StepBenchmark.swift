import Foundation
import GrokCore
import Linalg
import Model
import Optim
import Datasets
#if canImport(Glibc)
import Glibc
#endif

/// Times one training step of the paper's network (784-200-200-10, batch 200, MSE, AdamW:
/// forward + backward + update) next to the same step's eight GEMMs alone, in f32 and f64 on 1
/// and 2 threads. The GEMM-only time is the floor: the rest is our own element-wise code.
public enum StepBenchmark {
    public struct Row: Sendable {
        public let dtype: String
        public let threads: Int
        public let stepMs: Double
        public let gemmMs: Double
        public var stepsPerSecond: Double { 1000 / stepMs }
        public var overhead: Double { stepMs / gemmMs }
    }

    static func now() -> Double { ProgressReporter.now() }

    /// Median of `repeats` timings of `steps` iterations (ms per iteration): robust to a busy core.
    static func time(steps: Int, repeats: Int = 5, _ body: () -> Void) -> Double {
        var samples: [Double] = []
        for _ in 0..<repeats {
            let t0 = now()
            for _ in 0..<steps { body() }
            samples.append((now() - t0) * 1000 / Double(steps))
        }
        return samples.sorted()[repeats / 2]
    }

    public static func measure<T: BLASScalar>(_: T.Type, threads: Int, steps: Int, optimizerThreads: Int? = nil) -> Row {
        BLASRuntime.setThreads(threads)
        let shape = try! MLPShape(widths: [784, 200, 200, 10])
        let batch = 200
        let model = MLP<T>(shape: shape, maxBatch: batch)
        var rng = SeededRandom(seed: 1, stream: "bench")
        model.initialize(scale: 8, rng: &rng)
        let inputs = (0..<(batch * 784)).map { _ in T(rng.nextUnit()) }
        let labels = (0..<batch).map { _ in Int32(rng.nextInt(below: 10)) }
        let opt = AdamW<T>(count: shape.parameterCount, lr: 5e-4, weightDecay: 0.01)
        opt.threads = optimizerThreads ?? threads   // as the training loop does (--threads)
        let params = model.parameters, grads = UnsafeBufferPointer(model.gradients)
        let stepMs: Double = inputs.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                let one = {
                    _ = model.trainStep(inputs: x.baseAddress!, labels: y.baseAddress!, batch: batch, loss: .mse)
                    opt.step(parameters: params, gradients: grads)
                }
                for _ in 0..<max(steps / 10, 20) { one() }   // warm up caches and BLAS threads
                return time(steps: steps, one)
            }
        }
        let gemmMs = time(steps: steps) { model.gemmOnlyStep(batch: batch) }
        return Row(dtype: T.dtypeName, threads: threads, stepMs: stepMs, gemmMs: gemmMs)
    }

    /// Heap allocations per training step, counted through a malloc-counting shim preloaded
    /// into the process (it exports `groklab_malloc_count`); nil when no shim is loaded.
    /// Runs the real pieces of the loop: batch order, batch feeder, trainStep, AdamW. With one
    /// BLAS thread this counts our code; with two, OpenBLAS 0.3.21's threaded GEMM driver adds
    /// a malloc of its job table per threaded GEMM call (not ours to remove).
    public static func allocationsPerStep<T: BLASScalar>(_: T.Type, mode: BatchOrder.Mode, blasThreads: Int = 1,
                                                         steps: Int = 500) -> Double? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "groklab_malloc_count") else { return nil }
        BLASRuntime.setThreads(blasThreads)
        let count = unsafeBitCast(symbol, to: (@convention(c) () -> UInt64).self)
        let shape = try! MLPShape(widths: [784, 200, 200, 10])
        let model = MLP<T>(shape: shape, maxBatch: 200)
        var rng = SeededRandom(seed: 1, stream: "bench")
        model.initialize(scale: 8, rng: &rng)
        let inputs = (0..<(1000 * 784)).map { _ in T(rng.nextUnit()) }
        let labels = (0..<1000).map { _ in Int32(rng.nextInt(below: 10)) }
        var order = BatchOrder(mode: mode, trainCount: 1000, batchSize: 200, seed: 0)
        let feeder = BatchFeeder(order: order, inputs: inputs, labels: labels, features: 784)
        let opt = AdamW<T>(count: shape.parameterCount, lr: 5e-4, weightDecay: 0.01)
        let params = model.parameters, grads = UnsafeBufferPointer(model.gradients)
        func step(_ k: Int) {
            let b = feeder.batch(step: k, order: &order)
            _ = model.trainStep(inputs: b.inputs, labels: b.labels, batch: b.count, loss: .mse)
            opt.step(parameters: params, gradients: grads)
        }
        for k in 1...20 { step(k) }   // first calls may allocate lazily (BLAS buffers)
        let before = count()
        for k in 21..<(21 + steps) { step(k) }
        return Double(count() - before) / Double(steps)
    }

    /// The report printed by `grok-train bench`.
    public static func run(steps: Int) -> String {
        var lines: [String] = []
        lines.append("GrokLab \(GrokLabVersion.string) step benchmark: 784-200-200-10, batch 200, MSE, AdamW (forward + backward + update)")
        lines.append("BLAS core: \(BLASRuntime.coreName)" + (ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"].map { " (OPENBLAS_CORETYPE=\($0))" } ?? " (OPENBLAS_CORETYPE unset)"))
        if let w = BLASRuntime.slowKernelWarning { lines.append(w) }
        lines.append("dtype  threads   step ms   steps/s   GEMMs-only ms   step/GEMMs")
        let maxThreads = max(1, min(2, MachineInfo.coreCount))
        var rows: [Row] = []
        for threads in 1...maxThreads {
            rows.append(measure(Float.self, threads: threads, steps: steps))
            rows.append(measure(Double.self, threads: threads, steps: steps))
        }
        for r in rows.sorted(by: { ($0.dtype, $0.threads) < ($1.dtype, $1.threads) }) {
            lines.append(String(format: "%@    %7d  %8.3f  %8.0f  %14.3f  %10.2fx", r.dtype, r.threads, r.stepMs,
                                r.stepsPerSecond, r.gemmMs, r.overhead))
        }
        lines.append("(median of 5 x \(steps) steps; on a shared machine 2 threads only help when the other core is idle)")
        if let a = allocationsPerStep(Float.self, mode: .reshuffle), let b = allocationsPerStep(Double.self, mode: .cycle),
           let c = allocationsPerStep(Float.self, mode: .cycle, blasThreads: 2) {
            lines.append(String(format: "heap allocations per step (malloc-counting shim): f32 reshuffle %.2f, f64 cycle %.2f with 1 BLAS thread; %.2f with 2 (inside OpenBLAS's threaded GEMM)", a, b, c))
        }
        return lines.joined(separator: "\n")
    }
}
