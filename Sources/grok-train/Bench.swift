import ArgumentParser
import Foundation
import GrokCore
import Model
import Training

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

    func run() throws {
        if phases {
            let t = try trainedURL()
            for w in t == nil ? [nil] : [nil, t] {
                for k in KernelChoice.allCases {
                    print(try StepBenchmark.phases(Float.self, kernels: k, steps: iterations, trained: w))
                    print(try StepBenchmark.phases(Double.self, kernels: k, steps: iterations, trained: w))
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
            print(String(format: "with 2 BLAS threads: %.2f (OpenBLAS's threaded GEMM driver allocates its job table)", c))
            return
        }
        print(try StepBenchmark.run(steps: iterations, trained: trainedURL()))
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
