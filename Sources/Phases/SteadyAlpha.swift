import Foundation
import RunFiles

/// A steadier alpha for the phase rule.
///
/// WeightWatcher's alpha picks xmin by the smallest KS distance D. On our runs D often has two
/// nearly equal minima (a long tail with alpha ~3.5 and a short one with alpha ~7-8), and
/// consecutive snapshots switch between them: alpha jumps by 3-4 from one evaluation to the
/// next while the weights hardly change. A rule that thresholds alpha per snapshot then flips
/// phase on that noise. The remedy here is a causal running median in log(step): at step s, the
/// median of the layer's alphas at the evaluations with step in [s / 10^w, s] (w = the window
/// in decades). Evaluations are evenly spaced in log(step), so the window holds a fixed number
/// of them; the median ignores a minority branch entirely instead of averaging it in; and it
/// uses only the past, so a live run labels each snapshot as it arrives (at the price of a lag
/// of about w/2 decades at a real change).
public enum SteadyAlpha {
    /// The running median of `values` (nil = no fit) over the evaluations within `decades` of
    /// log10(step) before each one, itself included. `steps` ascending. Step 0 (no logarithm)
    /// is its own window. `decades <= 0` returns the values unchanged.
    public static func causalMedian(steps: [Int], values: [Double?], decades: Double) -> [Double?] {
        let n = min(steps.count, values.count)
        guard decades > 0 else { return Array(values.prefix(n)) }
        var out: [Double?] = Array(repeating: nil, count: n)
        var window: [Double] = []
        var start = 0
        for i in 0..<n {
            if steps[i] <= 0 {
                out[i] = values[i].flatMap { $0.isFinite ? $0 : nil }
                start = i + 1
                continue
            }
            let lowest = Double(steps[i]) / pow(10, decades)
            while start < i && Double(steps[start]) < lowest * (1 - 1e-12) { start += 1 }
            window.removeAll(keepingCapacity: true)
            for j in start...i { if let v = values[j], v.isFinite { window.append(v) } }
            out[i] = median(&window)
        }
        return out
    }

    /// Median of the values (nil when empty); sorts its argument.
    static func median(_ v: inout [Double]) -> Double? {
        guard !v.isEmpty else { return nil }
        v.sort()
        let m = v.count
        return m % 2 == 1 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2])
    }
}
