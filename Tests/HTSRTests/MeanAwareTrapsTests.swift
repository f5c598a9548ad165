import Foundation
import GrokCore
import HTSR
import XCTest

/// Mean-aware traps on synthetic matrices whose answer is known by construction: a constant
/// offset is a rank-one mean component (one randomized eigenvalue beyond the bulk, no outlier
/// entry), planted large entries are outliers (traps that no centering removes).
final class MeanAwareTrapsTests: XCTestCase {
    static let (rows, cols) = (200, 784)   // PyTorch's fc1 layout [out, in]

    /// Standard normal entries plus `offset`, and `planted` entries set to +-`size`
    /// (positions and signs from the seed).
    static func matrix(offset: Double, planted: Int, size: Double = 60, rows: Int = rows, cols: Int = cols,
                       seed: UInt64) -> Matrix<Double> {
        var rng = SeededRandom(seed: seed)
        var v = [Double](repeating: 0, count: rows * cols)
        for i in v.indices {
            // Box-Muller.
            let u1 = max(rng.nextUnit(), 1e-300), u2 = rng.nextUnit()
            v[i] = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2) + offset
        }
        for _ in 0..<planted {
            let i = rng.nextInt(below: v.count)
            v[i] = (rng.nextUnit() < 0.5 ? -size : size) + offset
        }
        return Matrix(rows: rows, cols: cols, values: v)
    }

    static func analyze(_ m: Matrix<Double>, centered: Bool = true, seed: UInt64 = 3) -> LayerAnalysis {
        var o = HTSROptions()
        o.randomize = true; o.seed = seed; o.keepEigenvalues = true; o.centeredTraps = centered
        return HTSRAnalyzer.analyze(LayerInput(name: "fc1", matrix: m), options: o)
    }

    /// The singular value of a rank-one component of strength theta on an N x M noise matrix
    /// of entry std s, beyond the BBP threshold: s_top^2 = (theta^2 + N s^2)(theta^2 + M s^2) / theta^2.
    static func bbpEigenvalue(theta: Double, N: Double, M: Double, s: Double) -> Double {
        let t2 = theta * theta
        return (t2 + N * s * s) * (t2 + M * s * s) / t2
    }

    func testConstantOffsetIsAMeanSpikeNotATrap() throws {
        // mean / std = 0.2, above (sqrt(N) + sqrt(M)) / sqrt(N M) = 0.106.
        let a = Self.analyze(Self.matrix(offset: 0.2, planted: 0, seed: 1))
        XCTAssertEqual(a.status, .ok)
        XCTAssertEqual(try XCTUnwrap(a.meanStdRatio), 0.2, accuracy: 0.01)
        XCTAssertEqual(a.numTraps, 1, "WeightWatcher's count sees the mean as one trap")
        XCTAssertEqual(a.meanSpike, true)
        XCTAssertEqual(a.numTrapsCentered, 0, "nothing is left once the mean is removed")
        // The largest shuffled eigenvalue is where the rank-one mean puts it (BBP), not an outlier entry.
        // theta = |mean| sqrt(N M) with the entries' measured mean and std.
        let values = Self.matrix(offset: 0.2, planted: 0, seed: 1).values
        let mean = values.reduce(0, +) / Double(values.count)
        let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
        XCTAssertEqual(try XCTUnwrap(a.meanStdRatio), mean / sd, accuracy: 1e-12)
        let predicted = Self.bbpEigenvalue(theta: abs(mean) * (784.0 * 200).squareRoot(), N: 784, M: 200, s: sd)
        print("offset 0.2: mean/std \(mean / sd), top shuffled eigenvalue \(a.maxRandEval!), BBP \(predicted)")
        XCTAssertEqual(try XCTUnwrap(a.maxRandEval) / predicted, 1, accuracy: 0.01)
        XCTAssertEqual(try XCTUnwrap(a.traps).count, 1)
        XCTAssertEqual(a.traps?.first?.entries, [], "no entry of W is an outlier")
    }

    func testSmallOffsetBelowTheEdgeIsNoSpike() throws {
        // mean / std = 0.03: below the BBP threshold (N M)^(-1/4) = 0.050, the mean stays in the bulk.
        let a = Self.analyze(Self.matrix(offset: 0.03, planted: 0, seed: 2))
        XCTAssertEqual(a.numTraps, 0)
        XCTAssertEqual(a.numTrapsCentered, 0)
        XCTAssertEqual(a.meanSpike, false)
    }

    func testPlantedLargeEntriesSurviveCentering() throws {
        let a = Self.analyze(Self.matrix(offset: 0, planted: 20, seed: 4))
        let traps = try XCTUnwrap(a.numTraps)
        XCTAssertGreaterThanOrEqual(traps, 15, "20 entries of 60 sd: each a rank-one outlier after shuffling")
        XCTAssertEqual(a.meanSpike, false, "mean / std is ~0: \(a.meanStdRatio!)")
        XCTAssertEqual(try XCTUnwrap(a.numTrapsCentered), traps, "centering a zero-mean matrix changes nothing")
    }

    func testOffsetAndPlantedEntriesTogether() throws {
        let planted = Self.analyze(Self.matrix(offset: 0, planted: 20, seed: 5))
        let both = Self.analyze(Self.matrix(offset: 0.2, planted: 20, seed: 5))   // the same noise, entries, shuffle
        let centered = try XCTUnwrap(both.numTrapsCentered)
        XCTAssertEqual(both.meanSpike, true)
        XCTAssertGreaterThanOrEqual(centered, 15)
        XCTAssertEqual(try XCTUnwrap(both.numTraps), centered + 1, "the mean adds exactly one trap")
        // Centering `both` gives exactly the centered zero-offset matrix, shuffled by the same
        // permutation: the same spectrum, the same count.
        XCTAssertEqual(centered, try XCTUnwrap(planted.numTrapsCentered))
        XCTAssertEqual(both.randSigmaMPCentered!, planted.randSigmaMPCentered!, accuracy: 1e-9)
    }

    func testSquareLayerOffset() throws {
        // 200 x 200 (the quarter-circle fit): mean / std 0.3 > 0.141.
        let a = Self.analyze(Self.matrix(offset: 0.3, planted: 0, rows: 200, cols: 200, seed: 6))
        XCTAssertEqual(a.numTraps, 1)
        XCTAssertEqual(a.meanSpike, true)
        XCTAssertEqual(a.numTrapsCentered, 0)
    }

    /// The extra decomposition does not touch the raw randomized numbers: same shuffles,
    /// same WeightWatcher columns, with or without it.
    func testCenteringLeavesTheRawTrapColumnsUnchanged() throws {
        let m = Self.matrix(offset: 0.15, planted: 5, seed: 7)
        let with = Self.analyze(m, centered: true), without = Self.analyze(m, centered: false)
        XCTAssertEqual(with.randEigenvalues, without.randEigenvalues)
        XCTAssertEqual(with.numTraps, without.numTraps)
        XCTAssertEqual(with.randDistance, without.randDistance)
        XCTAssertEqual(with.ksStat, without.ksStat)
        XCTAssertNil(without.numTrapsCentered)
        XCTAssertNil(without.meanSpike)
        XCTAssertNotNil(without.meanStdRatio, "the ratio needs no shuffle")
    }

    /// The fixtures (WeightWatcher parity inputs) have zero-mean entries: no mean spike, and
    /// the centered count equals WeightWatcher's.
    func testFixturesHaveNoMeanSpike() throws {
        for name in ["a_gauss_784x200", "d_trap_large_entries_784x200", "b2_student_t2.5_784x200"] {
            let r = try RandomizationTests.randomized(name)
            XCTAssertEqual(r.meanSpike, false, name)
            XCTAssertEqual(try XCTUnwrap(r.numTrapsCentered), try XCTUnwrap(r.numTraps), name)
        }
    }
}
