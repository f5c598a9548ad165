import Foundation

/// The Marchenko-Pastur law of the eigenvalues of a random N x M matrix's Gram (Q = N/M >= 1,
/// element variance sigma^2, eigenvalues rescaled to unit mean), and WeightWatcher's fit of it.
public enum MarchenkoPastur {
    /// Bulk edges l-, l+ = sigma^2 (1 -+ 1/sqrt(Q))^2.
    public static func edges(sigma: Double, Q: Double) -> (minus: Double, plus: Double) {
        let r = (1 / Q).squareRoot()
        let plus = sigma * (1 + r), minus = sigma * (1 - r)
        return (minus * minus, plus * plus)
    }

    /// rho(x) = Q / (2 pi sigma^2 x) sqrt((l+ - x)(x - l-)) on [l-, l+], zero outside.
    public static func density(_ x: Double, sigma: Double, Q: Double) -> Double {
        let (a, b) = edges(sigma: sigma, Q: Q)
        let inside = (b - x) * (x - a)
        guard inside > 0, x > 0 else { return 0 }
        // Same operation order as the reference: 1 / (2 pi sigma sigma x (1/Q)) * sqrt(...).
        return (1 / (2 * Double.pi * sigma * sigma * x * (1 / Q))) * inside.squareRoot()
    }

    /// The quarter-circle law WeightWatcher fits to the singular values when Q == 1:
    /// sqrt(4 - v^2) / (pi sigma^2) on [0, 2], zero outside (the support does not move with
    /// sigma: reference behaviour).
    public static func quarterCircleDensity(_ v: Double, sigma: Double) -> Double {
        let inside = 4 - v * v
        guard inside > 0, v >= 0 else { return 0 }
        return (1 / (Double.pi * sigma * sigma)) * inside.squareRoot()
    }

    /// The MP cumulative distribution function, by numerical integration of the density.
    /// With x = l- + c (1 - cos theta), c = (l+ - l-)/2, the square-root edges disappear and
    /// the integrand in theta is smooth (also for Q = 1, where the 1/x pole cancels), so
    /// adaptive Simpson reaches ~1e-12.
    public static func cdf(_ x: Double, sigma: Double, Q: Double) -> Double {
        cdf(sortedPoints: [x], sigma: sigma, Q: Q)[0]
    }

    /// The CDF at many ascending points, integrating piece by piece from one to the next.
    public static func cdf(sortedPoints xs: [Double], sigma: Double, Q: Double) -> [Double] {
        let (a, b) = edges(sigma: sigma, Q: Q)
        let c = (b - a) / 2
        let k = Q * c * c / (2 * Double.pi * sigma * sigma)
        func integrand(_ theta: Double) -> Double {
            let s = sin(theta / 2), co = cos(theta / 2)
            let x = a + 2 * c * s * s
            if x <= 0 { return k * 2 * co * co / c }  // Q == 1 at theta = 0: the limit
            return k * 4 * s * s * co * co / x
        }
        func theta(_ x: Double) -> Double {
            if x <= a { return 0 }
            if x >= b { return Double.pi }
            return acos(max(-1, min(1, 1 - (x - a) / c)))
        }
        var out = [Double](repeating: 0, count: xs.count)
        var acc = 0.0, lastTheta = 0.0
        for (i, x) in xs.enumerated() {
            let t = theta(x)
            if t > lastTheta { acc += adaptiveSimpson(integrand, lastTheta, t, tol: 1e-13); lastTheta = t }
            out[i] = x >= b ? 1 : min(1, max(0, acc))
        }
        return out
    }

    static func adaptiveSimpson(_ f: (Double) -> Double, _ a: Double, _ b: Double, tol: Double) -> Double {
        let fa = f(a), fb = f(b), m = (a + b) / 2, fm = f(m)
        let whole = (b - a) / 6 * (fa + 4 * fm + fb)
        func recurse(_ a: Double, _ b: Double, _ fa: Double, _ fm: Double, _ fb: Double,
                     _ whole: Double, _ tol: Double, _ depth: Int) -> Double {
            let m = (a + b) / 2, lm = (a + m) / 2, rm = (m + b) / 2
            let flm = f(lm), frm = f(rm)
            let left = (m - a) / 6 * (fa + 4 * flm + fm)
            let right = (b - m) / 6 * (fm + 4 * frm + fb)
            let delta = left + right - whole
            if depth <= 0 || abs(delta) <= 15 * tol { return left + right + delta / 15 }
            return recurse(a, m, fa, flm, fm, left, tol / 2, depth - 1)
                 + recurse(m, b, fm, frm, fb, right, tol / 2, depth - 1)
        }
        return recurse(a, b, fa, fm, fb, whole, tol, 40)
    }
}

/// The result of fitting the MP bulk to an ESD.
public struct MPFit: Sendable, Codable, Equatable {
    /// The fitted sigma (of the quarter-circle law on singular values when Q == 1).
    public var sigma: Double
    public var quarterCircle: Bool
    /// sqrt(n / sum(lambda)): eigenvalues times wScale^2 have unit mean.
    public var wScale: Double
    /// Bulk edges on the rescaled (unit-mean) scale.
    public var lambdaPlus: Double
    public var lambdaMinus: Double
    /// Rescaled eigenvalues above this (l+ plus the Tracy-Widom margin) are spikes.
    public var spikeThreshold: Double
    public var numSpikes: Int
    /// l+ / max(rescaled eigenvalue).
    public var softrank: Double
    /// The edges and spike threshold on the original scale.
    public var bulkMax: Double
    public var bulkMin: Double
    public var spikeThresholdOriginal: Double
}

extension MarchenkoPastur {
    /// A triangular-kernel density estimate (h = 0.1) of the data on 1000 grid points from 0 to
    /// max + 0.5, keeping the points with density > 0.01. It depends only on the data, so it
    /// is computed once per ESD, not once per sigma.
    struct KDE {
        var grid: [Double] = []
        var density: [Double] = []
        /// First kept grid point with the largest density; last kept grid point.
        var peak = 0.0
        var last = 0.0
    }

    static func kde(ascending data: [Double], bandwidth h: Double = 0.1, points: Int = 1000) -> KDE {
        let n = data.count
        let stop = data[n - 1] + 0.5
        let step = stop / Double(points - 1)
        var out = KDE()
        var lo = 0   // first data index with x > g - h (the window slides right)
        let norm = 1 / (Double(n) * h)
        var best = -Double.infinity
        for i in 0..<points {
            let g = i == points - 1 ? stop : Double(i) * step
            while lo < n && data[lo] <= g - h { lo += 1 }
            var sum = 0.0
            var j = lo
            while j < n && data[j] < g + h {
                sum += 1 - abs(g - data[j]) / h
                j += 1
            }
            let d = sum * norm
            if d > 0.01 {
                out.grid.append(g); out.density.append(d)
                if d > best { best = d; out.peak = g }
            }
        }
        out.last = out.grid.last ?? 0
        return out
    }

    /// Sum of squared residuals between the law at sigma and the KDE, with the reference's
    /// penalty (1000 per kept point, squared) when the MP edge is implausible.
    static func objective(_ sigma: Double, kde: KDE, Q: Double, quarterCircle: Bool) -> Double {
        var sum = 0.0
        if quarterCircle {
            for (g, d) in zip(kde.grid, kde.density) {
                let r = quarterCircleDensity(g, sigma: sigma) - d
                sum += r * r
            }
            return sum
        }
        let (a, b) = edges(sigma: sigma, Q: Q)
        if b < kde.peak || b > kde.last || a > kde.peak { return 1_000_000 * Double(kde.grid.count) }
        for (g, d) in zip(kde.grid, kde.density) {
            let r = density(g, sigma: sigma, Q: Q) - d
            sum += r * r
        }
        return sum
    }

    /// WeightWatcher's MP fit: rescale to unit mean, grid search sigma over
    /// [0.05, 2) * sigma0 in steps of 0.01 * sigma0 (NumPy arange semantics), polish with
    /// Nelder-Mead; then spikes beyond l+ + sqrt(Tracy-Widom), softrank and the bulk edges.
    /// `M` is the layer's smaller dimension (the Tracy-Widom scale). Nil when all eigenvalues
    /// are zero.
    public static func fit(ascending evals: [Double], Q: Double, M: Int) -> MPFit? {
        let n = evals.count
        guard n > 0 else { return nil }
        let total = evals.reduce(0, +)
        guard total > 0, total.isFinite else { return nil }
        let wScale = Double(n).squareRoot() / total.squareRoot()
        let s2 = wScale * wScale
        let x = evals.map { s2 * $0 }
        let xmax = x[n - 1]
        let sigma0 = (xmax / ((1 + 1 / Q.squareRoot()) * (1 + 1 / Q.squareRoot()))).squareRoot()
        let quarterCircle = Q == 1
        let k = kde(ascending: quarterCircle ? x.map { $0.squareRoot() } : x)
        guard !k.grid.isEmpty else { return nil }
        let f = { (s: Double) in objective(s, kde: k, Q: Q, quarterCircle: quarterCircle) }

        // numpy.arange(start, stop, step): ceil((stop - start)/step) points start + i*delta.
        let start = 0.05 * sigma0, stop = 2.0 * sigma0, step = 0.01 * sigma0
        let count = Int(((stop - start) / step).rounded(.up))
        let delta = (start + step) - start
        var bestSigma = start, bestF = Double.infinity
        for i in 0..<count {
            let s = i == 0 ? start : start + Double(i) * delta
            let v = f(s)
            if v < bestF { bestF = v; bestSigma = s }
        }
        let sigma = NelderMead.minimize(f, from: bestSigma).x

        let (lm, lp) = edges(sigma: sigma, Q: Q)
        let tw = 1 / Q.squareRoot() * pow(lp, 2.0 / 3.0) * pow(Double(M), -2.0 / 3.0)
        let threshold = lp + tw.squareRoot()
        let spikes = x.reduce(0) { $0 + ($1 > threshold ? 1 : 0) }
        return MPFit(sigma: sigma, quarterCircle: quarterCircle, wScale: wScale,
                     lambdaPlus: lp, lambdaMinus: lm, spikeThreshold: threshold, numSpikes: spikes,
                     softrank: lp / xmax, bulkMax: lp / s2, bulkMin: lm / s2,
                     spikeThresholdOriginal: threshold / s2)
    }
}
