import HTSR
import Linalg

// Placeholder until the tensors branch lands on main: only the benchmark.
BLASRuntime.ensureFastCoreType()
let args = CommandLine.arguments.dropFirst()
if args.first == "bench" {
    let large = args.dropFirst().first.flatMap { Int($0) } ?? 4096
    print(HTSRBenchmark.run(large: large))
} else {
    print("usage: grok-analyze bench [LARGE]")
}
