import HTSR
import XCTest

/// The detX / ERG columns against WeightWatcher 0.7.7's `analyze(detX=True)` on the eight
/// fixture matrices (Fixtures/weightwatcher-0.7.7.detx.json): counts exactly, values to 1e-9.
final class DetXParityTests: XCTestCase {
    func testDetXColumnsMatchWeightWatcher() throws {
        let ref = try Fixtures.reference("weightwatcher-0.7.7.detx.json")
        XCTAssertEqual(ref.count, Fixtures.names.count)
        for name in Fixtures.names {
            let r = HTSRAnalyzer.analyze(LayerInput(name: name, matrix: try Fixtures.matrix(name)), options: HTSROptions())
            let row = try XCTUnwrap(ref[name], name)
            XCTAssertEqual(r.numPLSpikes, row["num_pl_spikes"] as? Int, name)
            XCTAssertEqual(r.detXNum, row["detX_num"] as? Int, name)
            XCTAssertEqual(r.detXNum, row["num_ERG_spikes"] as? Int, name)
            XCTAssertEqual(r.ergGap, row["ERG_gap"] as? Int, name)
            for (key, got) in [("detX_val", r.detXVal), ("detX_val_unrescaled", r.detXValUnrescaled)] {
                let want = try XCTUnwrap(row[key] as? Double, "\(name) \(key)")
                let value = try XCTUnwrap(got, "\(name) \(key) missing")
                XCTAssertLessThanOrEqual(relativeError(value, want), 1e-9, "\(name) \(key): \(value) vs \(want)")
            }
        }
    }

    /// Hand-computed: eigenvalues 1, 2, 3, 6 have mean 3, so the unit-mean values are 1/3, 2/3,
    /// 1, 2. Tails from the top: {2} product 2, {1, 2} product 2, {2/3, 1, 2} product 4/3,
    /// {1/3, ...} product 4/9 < 1 at index 0 -- which the reference's loop never reaches (it
    /// stops at index 1): so all 4 count, and the value is taken at index 1 (2, i.e. 2/3 rescaled).
    func testLoopStopsAtIndexOneWhenNoTailFallsBelowOne() throws {
        let c = try XCTUnwrap(DetXCondition.of(ascending: [1, 2, 3, 6]))
        XCTAssertEqual(c.count, 4)
        XCTAssertEqual(c.value, 2, accuracy: 1e-15)
        XCTAssertEqual(c.rescaledValue, 2.0 / 3, accuracy: 1e-15)
    }

    /// Hand-computed: 0.5, 0.5, 1, 6 (mean 2): rescaled 0.25, 0.25, 0.5, 3. Tails: {3} 3,
    /// {0.5, 3} 1.5, {0.25, 0.5, 3} 0.375 < 1 at index 1: the tail has 3 eigenvalues from 0.5.
    func testTailWhoseProductFallsBelowOne() throws {
        let c = try XCTUnwrap(DetXCondition.of(ascending: [0.5, 0.5, 1, 6]))
        XCTAssertEqual(c.count, 3)
        XCTAssertEqual(c.value, 0.5, accuracy: 1e-15)
        XCTAssertEqual(c.rescaledValue, 0.25, accuracy: 1e-15)
        // Scaling every eigenvalue leaves the count unchanged and scales the value.
        let scaled = try XCTUnwrap(DetXCondition.of(ascending: [50, 50, 100, 600]))
        XCTAssertEqual(scaled.count, 3)
        XCTAssertEqual(scaled.value, 50, accuracy: 1e-12)
    }

    func testDegenerateSpectraHaveNoCondition() {
        XCTAssertNil(DetXCondition.of(ascending: [2, 2, 2]))
        XCTAssertNil(DetXCondition.of(ascending: [1]))
        XCTAssertNil(DetXCondition.of(ascending: []))
    }
}
