import Foundation
import GrokCore

/// A Clauset-Shalizi-Newman power-law fit of the ESD tail, p(x) ~ x^(-alpha) for x >= xmin.
public struct PowerLawFit: Sendable, Codable, Equatable {
    public var alpha: Double
    public var xmin: Double
    public var xmax: Double
    /// Kolmogorov-Smirnov distance of the tail to the fitted law (the scan's minimum).
    public var D: Double
    /// Standard error of alpha, (alpha - 1) / sqrt(tail size).
    public var sigma: Double
    /// Eigenvalues in the fitted tail (x >= xmin among those above the threshold).
    public var tailSize: Int
    /// The scan, for charts (only with keepDCurve): every xmin candidate and its D
    /// (1 for candidates that are not eligible).
    public var xminCandidates: [Double]?
    public var dCurve: [Double]?
}

public enum PowerLaw {
    /// Eigenvalues at or below this are ignored by the fit (absolute, WeightWatcher's).
    public static let threshold = 1e-5
    /// Below this many eigenvalues the small-sample estimator is used.
    public static let smallN = 20

    /// "over-trained" when alpha < 2, "under-trained" when alpha > 6, "" otherwise.
    public static func label(alpha: Double) -> String {
        alpha < 2 ? "over-trained" : (alpha > 6 ? "under-trained" : "")
    }

    /// Fits the tail of ascending eigenvalues. Every x_i (i = 0 ... n-2) is an xmin
    /// candidate; the first with the smallest KS distance D wins.
    ///
    /// Speed: S_i = sum_{j>=i} ln(x_j/x_i) comes from suffix sums of ln x (O(1) each), and
    /// (x_{i+t}/x_i)^(1-alpha) = exp((1-alpha)(ln x_{i+t} - ln x_i)) with the logs computed once
    /// and a branch-free exp the compiler vectorizes. Candidates are pruned: a few probe points
    /// give a lower bound on D_i, and the full scan stops as soon as D_i cannot beat the best.
    public static func fit(ascending evals: [Double], keepDCurve: Bool = false) throws(GrokError) -> PowerLawFit {
        let x = evals.filter { $0 > threshold }
        let n = x.count
        guard n >= 2 else {
            throw GrokError("power-law fit needs at least 2 eigenvalues above \(threshold), got \(n)")
        }
        let logs = x.map { log($0) }
        // suffix[i] = sum_{j >= i} ln x_j, accumulated from the top so short tails stay exact.
        var suffix = [Double](repeating: 0, count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) { suffix[i] = suffix[i + 1] + logs[i] }
        let small = n < smallN

        var curve = keepDCurve ? [Double](repeating: 1, count: n - 1) : []
        var best = Double.infinity, bestIndex = -1, bestAlpha = 0.0
        var scratch = [Double](repeating: 0, count: n)
        logs.withUnsafeBufferPointer { L in
            scratch.withUnsafeMutableBufferPointer { buf in
                for i in 0..<(n - 1) {
                    let k = n - i
                    let s = suffix[i] - Double(k) * L[i]
                    let alpha: Double
                    if small {
                        guard k >= 8, s > 1e-12 else { continue }
                        alpha = 1 + Double(k - 1) / s
                    } else {
                        alpha = 1 + Double(k) / s
                    }
                    guard alpha > 1, alpha.isFinite else { continue }
                    let bound = keepDCurve ? Double.infinity : best
                    let d = ksDistance(L, from: i, count: k, exponent: 1 - alpha, stopAt: bound, scratch: buf)
                    if keepDCurve { curve[i] = d }
                    if d < best { best = d; bestIndex = i; bestAlpha = alpha }
                }
            }
        }
        // D = 1 is what an ineligible candidate gets: a fit no better than that is no fit.
        guard bestIndex >= 0, best < 1 else {
            throw GrokError(small
                ? "power-law fit: no xmin leaves a tail of >= 8 distinct eigenvalues (n = \(n))"
                : "power-law fit: no xmin candidate gives alpha > 1 (n = \(n))")
        }
        let k = n - bestIndex
        return PowerLawFit(alpha: bestAlpha, xmin: x[bestIndex], xmax: x[n - 1], D: best,
                           sigma: (bestAlpha - 1) / Double(k).squareRoot(), tailSize: k,
                           xminCandidates: keepDCurve ? Array(x[0..<(n - 1)]) : nil,
                           dCurve: keepDCurve ? curve : nil)
    }

    /// fix_fingers = clip_xmax: refit with the r = 2...9 largest eigenvalues removed; accept
    /// the first fit whose alpha is more than 1 below the raw alpha (num_fingers = r - 1);
    /// stop (keeping the raw fit) at the first alpha <= 2.
    ///
    /// A refit that fails fails the whole layer, as in WeightWatcher 0.7.7 (it reports
    /// alpha = raw_alpha = -1): on a small layer (10 eigenvalues, fixture c2_gauss_200x10) the
    /// refit without the 3 largest leaves 7 eigenvalues, too few for the small-N estimator's
    /// tail of 8. Keeping the raw fit there would report an alpha the reference does not have.
    public static func fitClippingFingers(ascending evals: [Double], keepDCurve: Bool = false)
        throws(GrokError) -> (fit: PowerLawFit, numFingers: Int, raw: PowerLawFit) {
        let raw = try fit(ascending: evals, keepDCurve: keepDCurve)
        for r in 2...9 where r < evals.count {
            let clipped: PowerLawFit
            do { clipped = try fit(ascending: Array(evals.dropLast(r)), keepDCurve: keepDCurve) } catch {
                throw GrokError("clip_xmax: the refit without the \(r) largest eigenvalues failed (\(error.message)); "
                                + "like WeightWatcher 0.7.7, the layer's fit fails (unclipped alpha was \(raw.alpha))")
            }
            if clipped.alpha + 1.0 < raw.alpha { return (clipped, r - 1, raw) }
            if clipped.alpha <= 2.0 { break }
        }
        return (raw, 0, raw)
    }

    /// D_i = max_t |1 - exp(e (L[i+t] - L[i])) - t/k|, e = 1 - alpha < 0. Returns a value
    /// >= stopAt (not necessarily the exact D) as soon as D_i >= stopAt is certain.
    @inline(__always)
    static func ksDistance(_ L: UnsafeBufferPointer<Double>, from i: Int, count k: Int, exponent e: Double,
                           stopAt bound: Double, scratch: UnsafeMutableBufferPointer<Double>) -> Double {
        let li = L[i], invK = 1 / Double(k)
        @inline(__always) func term(_ t: Int) -> Double {
            abs(1 - expNonPositive(e * (L[i + t] - li)) - Double(t) * invK)
        }
        if bound.isFinite {
            // Probes: D_i is at least the deviation at any single point.
            for t in [k / 2, k / 4, (3 * k) / 4, k - 1] where term(t) >= bound { return bound }
        }
        var d = 0.0
        let chunk = 256
        var start = 0
        let out = scratch.baseAddress!
        while start < k {
            let end = min(start + chunk, k)
            // Vectorizable: pure arithmetic, no calls.
            for t in start..<end { out[t] = expNonPositive(e * (L[i + t] - li)) }
            for t in start..<end {
                let v = abs(1 - out[t] - Double(t) * invK)
                if v > d { d = v }
            }
            if d >= bound { return d }
            start = end
        }
        return d
    }
}

/// exp(y) for y <= 0, branch-free and call-free so loops over it vectorize; relative error
/// ~2e-16 (Cody-Waite reduction, degree-13 Taylor polynomial on |r| <= ln2/2). Results below
/// 1e-300 come out as ~1e-300 instead of underflowing: irrelevant next to 1.
@inlinable @inline(__always)
func expNonPositive(_ y0: Double) -> Double {
    let y = max(y0, -690.0)
    // Round y*log2(e) to an integer with the 1.5*2^52 trick: the integer lands in the low bits.
    let shifter = 6755399441055744.0
    let kf = y * 1.4426950408889634 + shifter
    let k = kf - shifter
    let r = (y - k * 0.6931471803691238) - k * 1.9082149292705877e-10
    var p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    // 2^k: the low bits of kf hold k (two's complement); add the exponent bias and shift.
    let bits = (kf.bitPattern &+ 1023) << 52
    return p * Double(bitPattern: bits)
}
