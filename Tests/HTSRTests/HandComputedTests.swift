import Foundation
import HTSR
import XCTest

/// Small cases whose answers are known independently of the implementation.
final class HandComputedTests: XCTestCase {
    /// n = 8 < 20: the small-sample estimator; only xmin = x_0 leaves a tail of >= 8.
    /// x = 2^j: S = sum ln(x_j/x_0) = 28 ln 2, alpha = 1 + 7/S, and
    /// D = max_t |1 - 2^(-t (alpha-1)) - t/8|.
    func testSmallSamplePowerLawByHand() throws {
        let x = (0..<8).map { pow(2.0, Double($0)) }
        let fit = try PowerLaw.fit(ascending: x)
        let alpha = 1 + 7 / (28 * log(2.0))
        var d = 0.0
        for t in 0..<8 { d = max(d, abs(1 - pow(2.0, -Double(t) * (alpha - 1)) - Double(t) / 8)) }
        XCTAssertEqual(fit.alpha, alpha, accuracy: 1e-13)
        XCTAssertEqual(fit.D, d, accuracy: 1e-13)
        XCTAssertEqual(fit.xmin, 1)
        XCTAssertEqual(fit.xmax, 128)
        XCTAssertEqual(fit.tailSize, 8)
        XCTAssertEqual(fit.sigma, (alpha - 1) / 8.0.squareRoot(), accuracy: 1e-13)
    }

    /// A body (0.2 ... 0.9) under a Pareto tail, two values at/below the 1e-5 threshold; the
    /// scan must pick the interior xmin 1.0. Expected values from NumPy (the spec's formulas,
    /// Fixtures/clip_xmax_reference.py's plfit).
    func testPowerLawPicksInteriorXmin() throws {
        var x: [Double] = [0.0, 1e-6]
        for i in 0..<15 { x.append(0.2 + 0.05 * Double(i)) }
        for j in 0..<20 { x.append(pow(1 - Double(j) / 25, -1 / 1.5)) }
        x.sort()
        let fit = try PowerLaw.fit(ascending: x, keepDCurve: true)
        XCTAssertEqual(fit.alpha, 3.6878341328470867, accuracy: 1e-11)
        XCTAssertEqual(fit.xmin, 1.0, accuracy: 1e-15)
        XCTAssertEqual(fit.D, 0.10053493075258263, accuracy: 1e-12)
        XCTAssertEqual(fit.sigma, 0.6010179833290286, accuracy: 1e-11)
        XCTAssertEqual(fit.tailSize, 20)
        XCTAssertEqual(fit.xminCandidates?.count, 34)  // 35 values above the threshold
        XCTAssertEqual(PowerLaw.label(alpha: fit.alpha), "")
        XCTAssertEqual(PowerLaw.label(alpha: 1.9), "over-trained")
        XCTAssertEqual(PowerLaw.label(alpha: 6.1), "under-trained")
    }

    func testPowerLawFailuresSayWhy() {
        XCTAssertThrowsError(try PowerLaw.fit(ascending: [0, 1e-6, 3])) { e in
            XCTAssertTrue("\(e)".contains("at least 2"), "\(e)")
        }
        // Seven values: no xmin leaves the 8 the small-sample estimator needs.
        XCTAssertThrowsError(try PowerLaw.fit(ascending: [1, 2, 3, 4, 5, 6, 7])) { e in
            XCTAssertTrue("\(e)".contains(">= 8"), "\(e)")
        }
    }

    /// The MP density integrates to 1 (midpoint rule in u = sqrt(x - l-), which removes the
    /// edge singularity and, for Q = 1, the 1/sqrt(x) pole).
    func testMPDensityIntegratesToOne() {
        for (sigma, Q) in [(1.0, 3.92), (0.8, 1.5), (1.3, 20.0), (1.0, 1.0), (0.5, 1.02)] {
            let (a, b) = MarchenkoPastur.edges(sigma: sigma, Q: Q)
            let top = (b - a).squareRoot(), steps = 400_000
            let h = top / Double(steps)
            var sum = 0.0
            for i in 0..<steps {
                let u = (Double(i) + 0.5) * h
                sum += MarchenkoPastur.density(a + u * u, sigma: sigma, Q: Q) * 2 * u * h
            }
            XCTAssertEqual(sum, 1, accuracy: 2e-4, "sigma \(sigma) Q \(Q)")
            XCTAssertEqual(MarchenkoPastur.cdf(b, sigma: sigma, Q: Q), 1)
            XCTAssertEqual(MarchenkoPastur.cdf(a, sigma: sigma, Q: Q), 0)
            XCTAssertEqual(MarchenkoPastur.density(b * 1.01, sigma: sigma, Q: Q), 0)
        }
        // The quarter circle (sigma = 1) integrates to 1 on [0, 2].
        var qc = 0.0
        let n = 200_000
        for i in 0..<n { qc += MarchenkoPastur.quarterCircleDensity((Double(i) + 0.5) * 2 / Double(n), sigma: 1) * 2 / Double(n) }
        XCTAssertEqual(qc, 1, accuracy: 1e-6)
        XCTAssertEqual(MarchenkoPastur.quarterCircleDensity(2.5, sigma: 1), 0)
    }

    /// The MP CDF against SciPy's adaptive quadrature of the density (quad, epsabs 1e-14).
    func testMPCDFMatchesQuadrature() {
        XCTAssertEqual(MarchenkoPastur.cdf(1.0, sigma: 1.0, Q: 3.92), 0.5539392521537426, accuracy: 1e-9)
        XCTAssertEqual(MarchenkoPastur.cdf(0.3, sigma: 0.8, Q: 1.5), 0.3523997497722719, accuracy: 1e-9)
        XCTAssertEqual(MarchenkoPastur.cdf(1.0, sigma: 1.0, Q: 1.0), 0.6089977810442315, accuracy: 1e-9)
        // Piecewise evaluation at many points agrees with single evaluations and is monotone.
        let xs = stride(from: 0.0, through: 3.0, by: 0.05).map { $0 }
        let many = MarchenkoPastur.cdf(sortedPoints: xs, sigma: 1, Q: 3.92)
        for (x, f) in zip(xs, many) {
            XCTAssertEqual(f, MarchenkoPastur.cdf(x, sigma: 1, Q: 3.92), accuracy: 1e-10)
        }
        XCTAssertEqual(many, many.sorted())
    }

    /// Kolmogorov's distribution, against scipy.special.kolmogorov.
    func testKolmogorovSurvival() {
        XCTAssertEqual(Kolmogorov.survival(1.0), 0.26999967167735456, accuracy: 1e-12)
        XCTAssertEqual(Kolmogorov.survival(1.36), 0.049485876755377876, accuracy: 1e-12)
        XCTAssertEqual(Kolmogorov.survival(0.5), 0.9639452436648751, accuracy: 1e-12)
        XCTAssertEqual(Kolmogorov.survival(2.0), 0.0006709252557796953, accuracy: 1e-14)
        XCTAssertEqual(Kolmogorov.survival(0), 1)
        // Both series agree where they switch.
        XCTAssertEqual(Kolmogorov.survival(1.18 - 1e-12), Kolmogorov.survival(1.18), accuracy: 1e-10)
        XCTAssertEqual(Kolmogorov.pValue(statistic: 0.1, count: 100), Kolmogorov.survival(1.0), accuracy: 1e-15)
    }

    /// KS statistic of [0.1, 0.4, 0.7] against the uniform CDF: the largest gap is 1 - 0.7.
    func testKSStatisticByHand() {
        XCTAssertEqual(Kolmogorov.statistic(cdfAtSortedData: [0.1, 0.4, 0.7]), 0.3, accuracy: 1e-15)
        XCTAssertEqual(Kolmogorov.statistic(cdfAtSortedData: [0.5]), 0.5, accuracy: 1e-15)
    }
}
