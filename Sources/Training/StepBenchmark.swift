import Foundation
import GrokCore
import Model
import Optim
import Datasets
import RunFiles
import Tensors
#if canImport(Glibc)
import Glibc
#endif

/// Times the training step the loop runs (`TrainingStep` on Prakash & Martin's network,
/// 784-200-200-10, a real cycled batch of 200 embedded MNIST images, MSE, AdamW) with dense and
/// sparse kernels, at the init's density and at a trained network's density, in f32 and f64
/// on 1 and 2 threads, next to the dense step's eight GEMMs alone (the dense floor).
public enum StepBenchmark {
    public struct Row: Sendable {
        public let dtype: String
        public let threads: Int
        public let denseMs: Double
        public let gemmMs: Double
        public let sparseInitMs: Double
        public let sparseTrainedMs: Double?
        public let denseTrainedMs: Double?
    }

    /// Wall time; with GROKLAB_BENCH_CLOCK=cpu the process's CPU time instead, which a busy
    /// shared machine disturbs far less (meaningful for the 1-thread rows only).
    static func now() -> Double {
        guard cpuClock else { return ProgressReporter.now() }
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
    static let cpuClock = ProcessInfo.processInfo.environment["GROKLAB_BENCH_CLOCK"] == "cpu"

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

    /// The paper's training set (1,000 balanced embedded images, seed 0) and its cycled batches.
    struct Setup<T: BLASScalar> {
        let shape: MLPShape
        let inputs: [T], labels: [Int32]
        let order: BatchOrder
    }

    static func setup<T: BLASScalar>(_: T.Type) throws -> Setup<T> {
        let data = try MNIST.load(.embedded, trainSize: 1000, subset: .balanced, seed: 0)
        return Setup(shape: try MLPShape(widths: [784, 200, 200, 10]),
                     inputs: data.train.normalizedPixels(as: T.self), labels: data.train.labelsAsInt32(),
                     order: BatchOrder(mode: .cycle, trainCount: 1000, batchSize: 200, seed: 0))
    }

    /// Weights of a trained run (a snapshot in file layout), for the trained-density timing.
    public static func trainedWeights<T: BLASScalar>(_ url: URL, shape: MLPShape, as _: T.Type) throws -> [T] {
        do { return try shape.parameters(fromSnapshot: SnapshotFile.read(url)).map { T($0) } }
        catch { throw GrokError("\(url.path): \(error)") }
    }

    /// ms per step of `TrainingStep` with the given kernels and weights, and the hidden
    /// layers' zero fractions on the batch it ran.
    static func stepTime<T: BLASScalar>(_ s: Setup<T>, kernels: KernelChoice, threads: Int, steps: Int,
                                        weights: [T]?) -> (ms: Double, zeros: [Double]) {
        BLASRuntime.setThreads(threads)
        let model = MLP<T>(shape: s.shape, maxBatch: 200, kernels: kernels)
        model.threads = threads
        if let w = weights { model.setFileParameters(w) } else {
            var rng = SeededRandom(seed: 0, stream: "init")
            model.initialize(scale: 8, rng: &rng)
        }
        var order = s.order
        let feeder = BatchFeeder(order: order, inputs: s.inputs, labels: s.labels, features: 784, sparse: kernels == .sparse)
        // lr 0 keeps the weights (and so the density) where they started while still doing
        // every operation of the update.
        let opt = AdamW<T>(count: s.shape.parameterCount, lr: 0, weightDecay: 0)
        opt.silentRanges = model.silentParameterRanges(inputs: s.inputs)
        opt.threads = threads
        var k = 0
        let one = { k += 1; _ = TrainingStep.run(model, opt, batch: feeder.batch(step: k, order: &order), loss: .mse) }
        for _ in 0..<max(steps / 10, 20) { one() }   // warm up caches and threads
        let ms = time(steps: steps, one)
        return (ms, model.hiddenZeroFractions(rows: 200))
    }

    static func gemmTime<T: BLASScalar>(_ s: Setup<T>, threads: Int, steps: Int) -> Double {
        BLASRuntime.setThreads(threads)
        let model = MLP<T>(shape: s.shape, maxBatch: 200, kernels: .dense)
        return time(steps: steps) { model.gemmOnlyStep(batch: 200) }
    }

    /// Heap allocations per training step, counted through a malloc-counting shim preloaded
    /// into the process (it exports `groklab_malloc_count`); nil when no shim is loaded.
    /// Runs the real step: batch order, batch feeder, `TrainingStep` (layers + AdamW).
    public static func allocationsPerStep<T: BLASScalar>(_: T.Type, mode: BatchOrder.Mode, blasThreads: Int = 1,
                                                         kernels: KernelChoice = .sparse, grokfast: Grokfast? = nil,
                                                         steps: Int = 500) -> Double? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "groklab_malloc_count") else { return nil }
        BLASRuntime.setThreads(blasThreads)
        let count = unsafeBitCast(symbol, to: (@convention(c) () -> UInt64).self)
        guard let s = try? setup(T.self) else { return nil }
        let model = MLP<T>(shape: s.shape, maxBatch: 200, kernels: kernels)
        var rng = SeededRandom(seed: 1, stream: "bench")
        model.initialize(scale: 8, rng: &rng)
        var order = BatchOrder(mode: mode, trainCount: 1000, batchSize: 200, seed: 0)
        let feeder = BatchFeeder(order: order, inputs: s.inputs, labels: s.labels, features: 784, sparse: kernels == .sparse)
        let opt = AdamW<T>(count: s.shape.parameterCount, lr: 5e-4, weightDecay: 0.01)
        opt.silentRanges = model.silentParameterRanges(inputs: s.inputs)
        let filter = grokfast?.filter(count: s.shape.parameterCount, as: T.self)
        func step(_ k: Int) { _ = TrainingStep.run(model, opt, filter: filter, batch: feeder.batch(step: k, order: &order), loss: .mse) }
        for k in 1...20 { step(k) }   // first calls may allocate lazily (BLAS buffers)
        let before = count()
        for k in 21..<(21 + steps) { step(k) }
        return Double(count() - before) / Double(steps)
    }

    /// The report printed by `grok-train bench`. `trained` is a snapshot of a trained run
    /// (its weights give the trained density); without it that column is left out.
    public static func run(steps: Int, trained: URL?, threads: [Int]? = nil) throws -> String {
        var lines: [String] = []
        lines.append("GrokLab \(GrokLabVersion.string) step benchmark: 784-200-200-10, a real cycled batch of 200 embedded MNIST images, MSE, AdamW (forward + backward + update)")
        lines.append("BLAS core: \(BLASRuntime.coreName)" + (ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"].map { " (OPENBLAS_CORETYPE=\($0))" } ?? " (OPENBLAS_CORETYPE unset)"))
        if let w = BLASRuntime.slowKernelWarning { lines.append(w) }
        if let t = trained { lines.append("trained weights: \(t.path)") }
        lines.append("dtype threads | dense ms  GEMMs ms | sparse@init ms  ratio | dense@trained ms  sparse@trained ms  ratio")
        let threadCounts = threads ?? Array(1...max(1, min(2, MachineInfo.coreCount)))
        var zeroLines: [String] = []
        func measure<T: BLASScalar>(_: T.Type) throws {
            let s = try setup(T.self)
            let weights = try trained.map { try trainedWeights($0, shape: s.shape, as: T.self) }
            for threads in threadCounts {
                let dense = stepTime(s, kernels: .dense, threads: threads, steps: steps, weights: nil)
                let gemm = gemmTime(s, threads: threads, steps: steps)
                let sparse = stepTime(s, kernels: .sparse, threads: threads, steps: steps, weights: nil)
                var line = String(format: "%@    %d     | %8.3f  %8.3f | %14.3f  %5.2f |", T.dtypeName, threads,
                                  dense.ms, gemm, sparse.ms, sparse.ms / dense.ms)
                if let w = weights {
                    let dt = stepTime(s, kernels: .dense, threads: threads, steps: steps, weights: w)
                    let st = stepTime(s, kernels: .sparse, threads: threads, steps: steps, weights: w)
                    line += String(format: " %16.3f  %17.3f  %5.2f", dt.ms, st.ms, st.ms / dt.ms)
                    if threads == 1, T.self == Float.self {
                        zeroLines.append("hidden-layer zeros at trained weights: " + st.zeros.map { String(format: "%.1f%%", 100 * $0) }.joined(separator: ", "))
                    }
                }
                if threads == 1, T.self == Float.self {
                    zeroLines.append("hidden-layer zeros at init: " + sparse.zeros.map { String(format: "%.1f%%", 100 * $0) }.joined(separator: ", "))
                }
                lines.append(line)
            }
        }
        try measure(Float.self)
        try measure(Double.self)
        let s = try setup(Float.self)
        let feeder = BatchFeeder(order: s.order, inputs: s.inputs, labels: s.labels, features: 784)
        lines.append(String(format: "input pixels non-zero in the batch: %.1f%%",
                            100 * Double(feeder.batchRows[0].nonzeros) / Double(200 * 784)))
        lines += zeroLines.sorted()
        lines.append(updateTraffic(Float.self, steps: steps))
        lines.append(updateTraffic(Double.self, steps: steps))
        lines.append("(median of 5 x \(steps) steps; ratio = sparse / dense; on a shared machine 2 threads only help when the other core is idle)")
        if let a = allocationsPerStep(Float.self, mode: .reshuffle), let b = allocationsPerStep(Double.self, mode: .cycle),
           let c = allocationsPerStep(Float.self, mode: .cycle, kernels: .dense) {
            lines.append(String(format: "heap allocations per step (malloc-counting shim, 1 thread): sparse f32 reshuffle %.2f, sparse f64 cycle %.2f, dense f32 cycle %.2f", a, b, c))
        }
        return lines.joined(separator: "\n")
    }
}

extension StepBenchmark {
    /// The AdamW update over Prakash & Martin's network's parameters (one thread) next to a plain
    /// streaming loop over four buffers of the same size that reads and writes what the update
    /// must (reads p, g, m, v; writes p, m, v): the update's memory-traffic floor, in GB/s.
    /// Timed early in a run (step ~10^3, the second moment's bias correction still divides)
    /// and in a long run (step 10^6: the correction is exactly 1 and its division is skipped).
    static func updateTraffic<T: BLASScalar>(_: T.Type, steps: Int) -> String {
        let n = (try? MLPShape(widths: [784, 200, 200, 10]).parameterCount) ?? 199_210
        let p = UnsafeMutableBufferPointer<T>.allocate(capacity: n), g = UnsafeMutableBufferPointer<T>.allocate(capacity: n)
        let m = UnsafeMutableBufferPointer<T>.allocate(capacity: n), v = UnsafeMutableBufferPointer<T>.allocate(capacity: n)
        defer { for b in [p, g, m, v] { b.deallocate() } }
        var rng = SeededRandom(seed: 0, stream: "update")
        for i in 0..<n { p[i] = T(rng.nextUnit()); g[i] = T(rng.nextUnit() - 0.5); m[i] = 0; v[i] = 0 }
        let opt = AdamW<T>(count: n, lr: 1e-3, weightDecay: 0.01)
        let reps = max(steps, 50)
        for _ in 0..<10 { opt.step(parameters: p, gradients: UnsafeBufferPointer(g)) }
        let early = time(steps: reps) { opt.step(parameters: p, gradients: UnsafeBufferPointer(g)) }
        let state = opt.stateBuffers()
        try? opt.restore(stepCount: 1_000_000, buffers: Dictionary(uniqueKeysWithValues: state.map { ($0.name, $0.values) }))
        for _ in 0..<10 { opt.step(parameters: p, gradients: UnsafeBufferPointer(g)) }
        let long = time(steps: reps) { opt.step(parameters: p, gradients: UnsafeBufferPointer(g)) }
        for _ in 0..<10 { streamUpdate(p.baseAddress!, g.baseAddress!, m.baseAddress!, v.baseAddress!, count: n) }
        let stream = time(steps: reps) { streamUpdate(p.baseAddress!, g.baseAddress!, m.baseAddress!, v.baseAddress!, count: n) }
        let bytes = Double(7 * n * MemoryLayout<T>.size)
        let gbs = { (ms: Double) in bytes / (ms * 1e-3) / 1e9 }
        return String(format: "AdamW update, %d parameters, %@, 1 thread: early %.3f ms = %.1f GB/s, long run %.3f ms = %.1f GB/s; a streaming loop over the same buffers (4 reads, 3 writes per parameter) %.3f ms = %.1f GB/s; update / stream early %.2f, long run %.2f",
                      n, T.dtypeName, early, gbs(early), long, gbs(long), stream, gbs(stream), early / stream, long / stream)
    }

    /// p = p*c + g, m = m*c + g, v = v*c + g: the update's reads and writes with one FMA each.
    @inline(never)
    static func streamUpdate<T: BLASScalar>(_ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>,
                                            _ m: UnsafeMutablePointer<T>, _ v: UnsafeMutablePointer<T>, count: Int) {
        let c: T = 0.5
        for i in 0..<count {
            let gi = g[i]
            p[i] = p[i].addingProduct(c, gi) * c
            m[i] = m[i].addingProduct(c, gi) * c
            v[i] = v[i].addingProduct(c, gi) * c
        }
    }

    /// Where a step's time goes: ms per call of each layer's forward and backward, the loss head
    /// and the update, for the given kernels and precision on one thread (`grok-train bench
    /// --phases`). The profile the README quotes.
    public static func phases<T: BLASScalar>(_: T.Type, kernels: KernelChoice, steps: Int, trained: URL?,
                                            sparsity: BackwardSparsity = .automatic) throws -> String {
        let s = try setup(T.self)
        BLASRuntime.setThreads(1)
        let model = MLP<T>(shape: s.shape, maxBatch: 200, kernels: kernels)
        model.backwardSparsity = sparsity
        if let t = trained { model.setFileParameters(try trainedWeights(t, shape: s.shape, as: T.self)) } else {
            var rng = SeededRandom(seed: 0, stream: "init")
            model.initialize(scale: 8, rng: &rng)
        }
        var order = s.order
        let feeder = BatchFeeder(order: order, inputs: s.inputs, labels: s.labels, features: 784, sparse: kernels == .sparse)
        let opt = AdamW<T>(count: s.shape.parameterCount, lr: 0, weightDecay: 0)
        opt.silentRanges = model.silentParameterRanges(inputs: s.inputs)
        precondition(s.shape.layerCount == 3, "the phases name the three layers of Prakash & Martin's network")
        var batch = feeder.batch(step: 1, order: &order)
        let phases: [(name: String, run: () -> Void)] = [
            ("fwd1", { model.forward(layer: 0, batch: batch) }),
            ("fwd2", { model.forward(layer: 1, batch: batch) }),
            ("fwd3", { model.forward(layer: 2, batch: batch) }),
            ("loss", { _ = model.loss(batch: batch, kind: .mse) }),
            ("bwd3", { model.backward(layer: 2, batch: batch) }),
            ("bwd2", { model.backward(layer: 1, batch: batch) }),
            ("bwd1", { model.backward(layer: 0, batch: batch) }),
            ("update", { opt.step(parameters: model.parameters, gradients: UnsafeBufferPointer(model.gradients)) }),
        ]
        var seconds = [Double](repeating: 0, count: phases.count)
        for k in 1...(steps + 20) {
            if k > 1 { batch = feeder.batch(step: k, order: &order) }
            for (i, phase) in phases.enumerated() {
                let t0 = now(); phase.run(); if k > 20 { seconds[i] += now() - t0 }
            }
        }
        let ms = { (x: Double) in String(format: "%.3f", 1000 * x / Double(steps)) }
        let parts = zip(phases, seconds).map { "\($0.name) \(ms($1))" }
        let path = kernels == .sparse && sparsity != .automatic ? " (\(sparsity.rawValue))" : ""
        let silent = opt.skippedSilentRanges ? opt.silentRanges.map(\.count).reduce(0, +) : 0
        return "\(T.dtypeName) \(kernels.rawValue)\(trained == nil ? " init" : " trained")\(path): " + parts.joined(separator: ", ")
            + ", total \(ms(seconds.reduce(0, +))) ms (the update skips \(silent) silent parameters)"
    }
}
