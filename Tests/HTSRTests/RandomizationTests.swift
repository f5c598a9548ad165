import HTSR
import GrokCore
import XCTest

/// Correlation traps: statistically against WeightWatcher's one shuffle, exactly against
/// our own seed.
final class RandomizationTests: XCTestCase {
    /// Analyses are cached: several tests look at the same (fixture, seed) result.
    nonisolated(unsafe) static var cache: [String: LayerAnalysis] = [:]

    static func randomized(_ name: String, seed: UInt64 = 0, keep: Bool = true) throws -> LayerAnalysis {
        let key = "\(name)/\(seed)/\(keep)"
        if let r = cache[key] { return r }
        let r = try analyzeRandomized(name, seed: seed, keep: keep)
        cache[key] = r
        return r
    }

    static func analyzeRandomized(_ name: String, seed: UInt64, keep: Bool) throws -> LayerAnalysis {
        var o = HTSROptions()
        o.randomize = true; o.seed = seed; o.keepEigenvalues = keep
        return HTSRAnalyzer.analyze(LayerInput(name: name, matrix: try Fixtures.matrix(name)), options: o)
    }

    func testTrapsAgreeInKindWithWeightWatcher() throws {
        let ref = try Fixtures.reference("weightwatcher-0.7.7.randomize.json")
        for name in Fixtures.names {
            let r = try Self.randomized(name)
            let row = try XCTUnwrap(ref[name])
            let wwTraps = try XCTUnwrap(row["num_traps"] as? Int)
            let traps = try XCTUnwrap(r.numTraps, name)
            print("\(name): traps \(traps) (WW \(wwTraps)) rand_sigma_mp \(r.randSigmaMP!) (WW \(row["rand_sigma_mp"]!)) max_rand_eval \(r.maxRandEval!) (WW \(row["max_rand_eval"]!)) rand_distance \(r.randDistance!) (WW \(row["rand_distance"]!)) ks \(r.ksStat!) p \(r.ksPvalue!)")
            XCTAssertEqual(r.status, .ok, name)
            XCTAssertEqual(traps > 0, wwTraps > 0, "\(name): trap or no trap")
            XCTAssertEqual(r.randNumSpikes, r.numTraps)
            // Counts in the same range (a different shuffle moves a few eigenvalues across the edge).
            XCTAssertLessThanOrEqual(abs(traps - wwTraps), max(3, wwTraps / 3), name)
            let wwSigma = try XCTUnwrap(row["rand_sigma_mp"] as? Double)
            // (t with 1.5 degrees of freedom has infinite variance: its shuffles vary by ~10%.)
            XCTAssertLessThan(relativeError(try XCTUnwrap(r.randSigmaMP), wwSigma), 0.15, name)
            let wwMax = try XCTUnwrap(row["max_rand_eval"] as? Double)
            XCTAssertLessThan(relativeError(try XCTUnwrap(r.maxRandEval), wwMax), 0.5, name)
            // ww_softrank and rand_distance are defined by an extra shuffle.
            let wwSoft = try XCTUnwrap(row["ww_softrank"] as? Double)
            XCTAssertLessThan(relativeError(try XCTUnwrap(r.wwSoftrank), wwSoft), 0.5, name)
            let wwDist = try XCTUnwrap(row["rand_distance"] as? Double)
            let dist = try XCTUnwrap(r.randDistance)
            // On d it is bimodal (~0.005 or ~0.02: whether two large entries share a row or
            // column in the shuffle), hence the wide band.
            XCTAssertTrue(dist > wwDist / 6 && dist < wwDist * 6, "\(name) rand_distance \(dist) vs \(wwDist)")
        }
    }

    func testSeedMakesShufflesReproducible() throws {
        let a = try Self.randomized("b2_student_t2.5_784x200", seed: 7, keep: true)
        let b = try Self.analyzeRandomized("b2_student_t2.5_784x200", seed: 7, keep: true)
        let c = try Self.randomized("b2_student_t2.5_784x200", seed: 8, keep: true)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a.randEigenvalues, c.randEigenvalues)
        // The unrandomized metrics do not depend on the seed.
        XCTAssertEqual(a.alpha, c.alpha)
        XCTAssertEqual(a.sigmaMP, c.sigmaMP)
    }

    /// KS test of the randomized ESD against the fitted MP law: noise matrices look like MP,
    /// matrices with outlier entries do not. The traps lie beyond l+, where the MP CDF is 1, so
    /// D >= traps/n: with n = 200 eigenvalues, 14-19 traps only reach p ~ 0.05 (the test has
    /// little power on one small layer); the very heavy tail (b3) is rejected outright.
    func testKSSeparatesNoiseFromTraps() throws {
        for name in ["a_gauss_784x200", "b1_gauss_plus_5spikes_784x200", "c1_gauss_200x200",
                     "c2_gauss_200x10", "e_gauss_200x784_transposed"] {
            let r = try Self.randomized(name)
            XCTAssertGreaterThan(try XCTUnwrap(r.ksPvalue), 0.5, name)
            XCTAssertLessThan(try XCTUnwrap(r.ksStat), 0.08, name)
        }
        for name in ["b2_student_t2.5_784x200", "b3_student_t1.5_784x200", "d_trap_large_entries_784x200"] {
            let r = try Self.randomized(name)
            let n = Double(try XCTUnwrap(r.numEvals))
            XCTAssertGreaterThanOrEqual(try XCTUnwrap(r.ksStat), Double(try XCTUnwrap(r.numTraps)) / n - 1e-12, name)
            XCTAssertLessThan(try XCTUnwrap(r.ksPvalue), 0.1, name)
        }
        XCTAssertLessThan(try XCTUnwrap(try Self.randomized("b3_student_t1.5_784x200").ksPvalue), 1e-6)
    }

    /// Fixture d has 20 entries of magnitude 1.5 in N(0, ~0.04) noise: every trap must point at
    /// them, and sit well above the bulk edge.
    func testTrapDetailPointsAtTheOutlierEntries() throws {
        let r = try Self.randomized("d_trap_large_entries_784x200")
        let w = try Fixtures.matrix("d_trap_large_entries_784x200")
        let traps = try XCTUnwrap(r.traps)
        XCTAssertEqual(traps.count, r.numTraps)
        XCTAssertGreaterThan(traps.count, 10)
        let bulk = try XCTUnwrap(r.randBulkMax)
        for (j, t) in traps.enumerated() {
            XCTAssertGreaterThan(t.eigenvalue, try XCTUnwrap(r.randSpikeThreshold))
            XCTAssertEqual(t.height, (t.eigenvalue - bulk) / bulk, accuracy: 1e-12)
            if j > 0 { XCTAssertLessThanOrEqual(t.eigenvalue, traps[j - 1].eigenvalue) }
            // 20 outliers: trap j lists outliers ranked j ..< min(j + 5, 20), nothing else.
            XCTAssertEqual(t.entries.count, min(5, 20 - j))
            for e in t.entries {
                XCTAssertEqual(w[e.row, e.column], e.value)
                XCTAssertEqual(abs(e.value), 1.5, accuracy: 1e-6)
                XCTAssertGreaterThan(e.zScore, 20)
            }
        }
        XCTAssertEqual(r.maxTrapHeight, traps.first?.height)
        // No traps, no detail.
        let a = try Self.randomized("a_gauss_784x200")
        XCTAssertEqual(a.traps, [])
        XCTAssertNil(a.maxTrapHeight)
    }

    /// M < 100 pools five shuffles (50 eigenvalues for the 200 x 10 fixture).
    func testSmallLayersPoolFiveShuffles() throws {
        let r = try Self.randomized("c2_gauss_200x10", keep: true)
        XCTAssertEqual(r.randEigenvalues?.count, 50)
        XCTAssertEqual(r.randEigenvalues?.last, r.maxRandEval)
        let big = try Self.randomized("a_gauss_784x200", keep: true)
        XCTAssertEqual(big.randEigenvalues?.count, 200)
    }
}
