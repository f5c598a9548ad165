import ArgumentParser
import Foundation
import GrokCore
import Model
import Training

/// `grok-train bench`: the training step's speed, where its time goes, and its heap allocations.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time one training step (forward + backward + AdamW) against its GEMMs alone.")

    @Option(help: "Training steps timed per configuration (median of 5 repeats).")
    var iterations = 2000

    @Flag(help: "Only count heap allocations per step (needs the malloc-counting shim in LD_PRELOAD; see README).")
    var allocations = false

    @Option(help: "A snapshot of a trained run (safetensors, PyTorch names) whose weights give the trained density. (default: the committed Omnigrok 1e5-step fixture when run from a checkout)")
    var trained: String?

    @Flag(help: "Only show where a step's time goes (ms per layer forward/backward, loss, update), dense and sparse, one thread.")
    var phases = false

    // (Not --threads/--dtype/--kernels: grok-train's own options of those names take them.)
    @Option(help: "Only this thread count (default: 1 and 2).")
    var onlyThreads: Int?

    @Option(help: "--phases: only this precision, f32 or f64 (default: both).")
    var onlyDtype: TrainingConfig.Precision?

    @Option(help: "--phases: only these kernels, sparse or dense (default: both).")
    var onlyKernels: KernelChoice?

    @Option(help: "--phases: only this density, init or trained (default: both).")
    var density: String?

    @Option(help: "--phases: which sparsity the sparse layers' backward uses: automatic (the cheaper per step and product), input-side (the input's zeros only) or both-sides (also the deltas' zeros below a ReLU). All give the same bits.")
    var sparsity: BackwardSparsity = .automatic

    func run() throws {
        if phases {
            guard density == nil || density == "init" || density == "trained" else {
                throw GrokError("--density must be init or trained, got \(density!)")
            }
            let t = try trainedURL()
            var weights: [URL?] = t == nil ? [nil] : [nil, t]
            if density == "init" { weights = [nil] } else if density == "trained" {
                guard let t else { throw GrokError("--density trained: no trained snapshot (give --trained)") }
                weights = [t]
            }
            for w in weights {
                for k in onlyKernels.map({ [$0] }) ?? KernelChoice.allCases {
                    if onlyDtype != .f64 { print(try StepBenchmark.phases(Float.self, kernels: k, steps: iterations, trained: w, sparsity: sparsity)) }
                    if onlyDtype != .f32 { print(try StepBenchmark.phases(Double.self, kernels: k, steps: iterations, trained: w, sparsity: sparsity)) }
                }
            }
            return
        }
        if allocations {
            guard let a = StepBenchmark.allocationsPerStep(Float.self, mode: .reshuffle),
                  let b = StepBenchmark.allocationsPerStep(Double.self, mode: .cycle) else {
                throw GrokError("no malloc-counting shim loaded (LD_PRELOAD a library exporting groklab_malloc_count)")
            }
            let c = StepBenchmark.allocationsPerStep(Float.self, mode: .cycle, blasThreads: 2) ?? .nan
            print(String(format: "heap allocations per step: f32 reshuffle %.2f, f64 cycle %.2f", a, b))
            let more = [StepBenchmark.allocationsPerStep(Float.self, mode: .cycle), StepBenchmark.allocationsPerStep(Double.self, mode: .reshuffle),
                        StepBenchmark.allocationsPerStep(Double.self, mode: .cycle, kernels: .dense),
                        StepBenchmark.allocationsPerStep(Float.self, mode: .reshuffle, kernels: .dense)].map { $0 ?? .nan }
            print(String(format: "also: sparse f32 cycle %.2f, sparse f64 reshuffle %.2f; dense f64 cycle %.2f, dense f32 reshuffle %.2f", more[0], more[1], more[2], more[3]))
            // Grokfast's filters on top (the moving average over 520 steps wraps its 7-slot ring).
            let gf = [StepBenchmark.allocationsPerStep(Float.self, mode: .reshuffle, grokfast: .ema(alpha: 0.8, lambda: 0.1)),
                      StepBenchmark.allocationsPerStep(Double.self, mode: .cycle, grokfast: .ma(window: 7, lambda: 5))].map { $0 ?? .nan }
            print(String(format: "with Grokfast: ema f32 reshuffle %.2f, ma f64 cycle %.2f", gf[0], gf[1]))
            print(String(format: "with 2 BLAS threads: %.2f (OpenBLAS's threaded GEMM driver allocates its job table)", c))
            return
        }
        if let n = onlyThreads, n < 1 { throw GrokError("--only-threads must be at least 1, got \(n)") }
        print(try StepBenchmark.run(steps: iterations, trained: trainedURL(), threads: onlyThreads.map { [$0] }))
    }
}

extension Bench {
    /// --trained, or the trained snapshot committed with the tests when this binary runs from a
    /// checkout; nil (column left out) otherwise.
    func trainedURL() throws -> URL? {
        if let t = trained {
            guard FileManager.default.fileExists(atPath: t) else { throw GrokError("--trained \(t): no such file") }
            return URL(fileURLWithPath: t)
        }
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Tests/TrainingTests/Fixtures/omnigrok-trained.safetensors")
        return FileManager.default.fileExists(atPath: fixture.path) ? fixture : nil
    }
}
