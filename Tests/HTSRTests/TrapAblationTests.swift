import GrokCore
import HTSR
import XCTest

/// `TrapAnalysis` on matrices with planted outlier entries: the located trap's mass sits on
/// the planted entries, and ablating the traps leaves a matrix the analyzer finds trap-free.
final class TrapAblationTests: XCTestCase {
    /// A Gaussian 400 x 120 matrix (std 1) with entries of size 40 at known positions.
    func plantedMatrix(_ positions: [(Int, Int)]) -> Matrix<Double> {
        var rng = SeededRandom(seed: 7, stream: "planted")
        var w = Matrix<Double>(rows: 400, cols: 120)
        for i in w.values.indices {
            let a = max(rng.nextUnit(), 1e-300), b = rng.nextUnit()
            w.values[i] = (-2 * log(a)).squareRoot() * cos(2 * Double.pi * b)
        }
        for (r, c) in positions { w[r, c] = 40 }
        return w
    }

    func trapCount(_ w: Matrix<Double>, name: String = "w", seed: UInt64 = 0) -> Int? {
        var o = HTSROptions()
        o.randomize = true; o.seed = seed
        return HTSRAnalyzer.analyze(LayerInput(name: name, matrix: w), options: o).numTraps
    }

    func testPlantedEntriesAreLocatedAndAblated() throws {
        let planted = [(17, 3), (250, 99), (399, 60)]
        let w = plantedMatrix(planted)
        XCTAssertEqual(trapCount(w), 3, "three planted entries of 40 sd: three traps")
        for method in TrapAblationMethod.allCases {
            let t = try TrapAnalysis.analyze(name: "w", matrix: w, seed: 0, method: method)
            XCTAssertEqual(t.traps.count, 3, "\(method)")
            var found = Set<Int>()
            for trap in t.traps {
                // Each trap is (almost) one planted entry: its top entry carries most of the mass.
                let top = try XCTUnwrap(trap.topEntries.first)
                let i = try XCTUnwrap(planted.firstIndex { $0.0 == top.row && $0.1 == top.column }, "\(top)")
                found.insert(i)
                // The planted entry alone carries > 20% of the mode (a uniform mode: 1/48000 each),
                // and its row and column lead.
                XCTAssertGreaterThan(top.share, 0.2)
                XCTAssertGreaterThan(trap.iprEntries, 0.05)
                XCTAssertEqual(trap.topRows.first?.index, top.row)
                XCTAssertEqual(trap.topColumns.first?.index, top.column)
                XCTAssertGreaterThan(trap.overThreshold, 1)
                // ||T||^2 / ||W||^2 = s^2 / sum w^2, by hand.
                XCTAssertEqual(trap.frobeniusShare, trap.eigenvalue / w.values.reduce(0) { $0 + $1 * $1 }, accuracy: 1e-12)
            }
            XCTAssertEqual(found.count, 3, "every planted entry has its trap")
            if method == .noise {
                XCTAssertEqual(trapCount(t.ablated), 0, "ablation removes the traps")
                XCTAssertEqual(trapCount(t.ablated, seed: 5), 0, "whatever the re-analysis shuffle")
                for (r, c) in planted { XCTAssertLessThan(abs(t.ablated[r, c]), 6, "planted entry (\(r), \(c)) is gone") }
            }
        }
    }

    func testFixtureWithLargeEntries() throws {
        let w = try Fixtures.matrix("d_trap_large_entries_784x200")
        // The planted entries: the 20 largest |w| (all far beyond the Gaussian bulk).
        let order = w.values.indices.sorted { abs(w.values[$0]) > abs(w.values[$1]) }
        let plantedSet = Set(order.prefix(20))
        let before = try XCTUnwrap(trapCount(w, name: "d"))
        XCTAssertGreaterThan(before, 0)
        let t = try TrapAnalysis.analyze(name: "d", matrix: w, seed: 0, method: .noise)
        XCTAssertEqual(t.traps.count, before, "the same shuffle as the analyzer's: the same trap count")
        for trap in t.traps {
            // Mass on the planted entries: their share of the unpermuted mode.
            let mode = t.modes[trap.index].values
            let mass = mode.reduce(0) { $0 + $1 * $1 }
            let onPlanted = plantedSet.reduce(0) { $0 + mode[$1] * mode[$1] } / mass
            // 20 equal planted entries (38 sd, twice the BBP threshold) give nearly equal traps
            // that mix them: the largest sits mostly on them, each of the others still holds
            // over 100 times the planted entries' uniform share (20 / 156800).
            XCTAssertGreaterThan(onPlanted, trap.index == 0 ? 0.5 : 100 * 20 / Double(w.values.count),
                                 "trap \(trap.index): \(trap.topEntries)")
        }
        XCTAssertEqual(trapCount(t.ablated, name: "d"), 0)
    }

    func testSameSeedSameResultOtherSeedOtherNoise() throws {
        let w = plantedMatrix([(5, 5), (300, 100)])
        let a = try TrapAnalysis.analyze(name: "w", matrix: w, seed: 3, method: .noise)
        let b = try TrapAnalysis.analyze(name: "w", matrix: w, seed: 3, method: .noise)
        XCTAssertEqual(a.traps, b.traps)
        XCTAssertEqual(a.ablated, b.ablated)
        let c = try TrapAnalysis.analyze(name: "w", matrix: w, seed: 4, method: .noise)
        XCTAssertNotEqual(a.ablated, c.ablated)
        XCTAssertEqual(a.traps.count, c.traps.count)
    }

    func testTooSmallLayerIsAnError() {
        XCTAssertThrowsError(try TrapAnalysis.analyze(name: "tiny", matrix: Matrix(rows: 5, cols: 4), seed: 0, method: .noise))
    }
}
