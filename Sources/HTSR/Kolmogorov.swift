import Foundation

/// One-sample Kolmogorov-Smirnov test.
public enum Kolmogorov {
    /// The KS statistic sup |F_n - F| of ascending data against a CDF given at those points.
    public static func statistic(cdfAtSortedData F: [Double]) -> Double {
        let n = Double(F.count)
        var d = 0.0
        for (i, f) in F.enumerated() {
            d = max(d, f - Double(i) / n, Double(i + 1) / n - f)
        }
        return d
    }

    /// Kolmogorov's limiting survival function Q(lambda) = P(sqrt(n) D > lambda) =
    /// 2 sum_{j>=1} (-1)^(j-1) exp(-2 j^2 lambda^2); for small lambda the equivalent
    /// theta-function form 1 - sqrt(2 pi)/lambda sum exp(-(2j-1)^2 pi^2 / (8 lambda^2))
    /// converges instead.
    public static func survival(_ lambda: Double) -> Double {
        guard lambda > 0 else { return 1 }
        if lambda < 1.18 {
            var s = 0.0
            for j in 1...20 {
                let m = Double(2 * j - 1)
                s += exp(-m * m * Double.pi * Double.pi / (8 * lambda * lambda))
            }
            return min(1, max(0, 1 - (2 * Double.pi).squareRoot() / lambda * s))
        }
        var s = 0.0
        for j in 1...100 {
            let t = exp(-2 * Double(j * j) * lambda * lambda)
            s += (j % 2 == 1 ? t : -t)
            if t < 1e-300 { break }
        }
        return min(1, max(0, 2 * s))
    }

    /// Asymptotic p-value of a statistic D from n samples: Q(sqrt(n) D).
    public static func pValue(statistic d: Double, count n: Int) -> Double {
        survival(Double(n).squareRoot() * d)
    }
}
