import Dispatch
import Foundation
import GrokCore

/// Speed of the analyzer next to its floor, LAPACK eigenvalues alone (Gram + dsyevd): a
/// benchmark to print, not a test. WeightWatcher 0.7.7 for reference: 0.3-1 s per 784x200 layer
/// with the MP fit, 0.7-3 s randomized; 34-38 s for 4096x4096, 129 s randomized.
public enum HTSRBenchmark {
    /// Times a 784x200 Gaussian layer (`smallRepeats` times, the best is kept) and a
    /// `large` x `large` one (once; 0 skips it). Returns a printable table.
    public static func run(smallRepeats: Int = 20, large: Int = 4096) -> String {
        // The policy grok-analyze uses: small layers on one BLAS thread each (OpenBLAS's threads
        // mostly wait on a 200x200 problem), large ones with every core.
        let allThreads = BLASRuntime.threads
        var lines = ["HTSR benchmark (OpenBLAS \(BLASRuntime.coreName), \(MachineInfo.coreCount) cores; 784x200 on 1 BLAS thread, large layers on \(allThreads))"]
        lines.append(pad("layer", 12) + pad("eigenvalues (LAPACK)", 22) + pad("analysis MP+random", 22) + "ratio")
        var options = HTSROptions()
        options.randomize = true
        options.mpFit = true
        for (rows, cols, repeats) in [(784, 200, max(1, smallRepeats)), (large, large, 1)] where rows > 0 {
            BLASRuntime.setThreads(cols >= 1000 ? allThreads : 1)
            defer { BLASRuntime.setThreads(allThreads) }
            let w = gaussian(rows: rows, cols: cols, seed: 1)
            let layer = LayerInput(name: "bench", matrix: w)
            let lapack = best(of: repeats) { _ = try? Spectral.squaredSingularValues(w) }
            let full = best(of: repeats) { _ = HTSRAnalyzer.analyze(layer, options: options) }
            lines.append(pad("\(rows)x\(cols)", 12) + pad(format(lapack), 22) + pad(format(full), 22)
                         + String(format: "%.2fx one decomposition (%.2fx two)", full / lapack, full / (2 * lapack)))
        }
        lines.append("(randomized analysis = 4 decompositions: the layer, the shuffle(s) fitted, the same shuffle(s) with the mean removed, one more shuffle for rand_distance)")
        return lines.joined(separator: "\n")
    }

    static func best(of n: Int, _ body: () -> Void) -> Double {
        var t = Double.infinity
        for _ in 0..<n {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            t = min(t, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return t
    }

    static func format(_ s: Double) -> String {
        s < 1 ? String(format: "%.2f ms", s * 1e3) : String(format: "%.2f s", s)
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }

    static func gaussian(rows: Int, cols: Int, seed: UInt64) -> Matrix<Double> {
        var rng = SeededRandom(seed: seed, stream: "htsr-benchmark")
        var v = [Double](repeating: 0, count: rows * cols)
        for i in 0..<v.count {
            let u1 = max(rng.nextUnit(), 1e-300), u2 = rng.nextUnit()
            v[i] = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2) / Double(rows).squareRoot()
        }
        return Matrix(rows: rows, cols: cols, values: v)
    }
}
