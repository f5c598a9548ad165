import Foundation
import GrokCore
import Linalg
import Model
import Optim

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

    public static func measure<T: BLASScalar>(_: T.Type, threads: Int, steps: Int) -> Row {
        BLASRuntime.setThreads(threads)
        let shape = try! MLPShape(widths: [784, 200, 200, 10])
        let batch = 200
        let model = MLP<T>(shape: shape, maxBatch: batch)
        var rng = SeededRandom(seed: 1, stream: "bench")
        model.initialize(scale: 8, rng: &rng)
        let inputs = (0..<(batch * 784)).map { _ in T(rng.nextUnit()) }
        let labels = (0..<batch).map { _ in Int32(rng.nextInt(below: 10)) }
        let opt = AdamW<T>(count: shape.parameterCount, lr: 5e-4, weightDecay: 0.01)
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
        return lines.joined(separator: "\n")
    }
}
