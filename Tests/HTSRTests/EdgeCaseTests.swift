import XCTest
import GrokCore
import HTSR

/// Matrices at the edges of double precision and degenerate spectra: each gets a
/// failed status that names the problem, never a made-up alpha or a misleading "W = 0".
final class EdgeCaseTests: XCTestCase {
    func gaussian(rows: Int, cols: Int, scale: Double) -> Matrix<Double> {
        var rng = SeededRandom(seed: 3, stream: "edge")
        let v = (0..<(rows * cols)).map { _ -> Double in
            let u1 = max(rng.nextUnit(), 1e-300), u2 = rng.nextUnit()
            return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2) * scale
        }
        return Matrix(rows: rows, cols: cols, values: v)
    }

    func status(_ m: Matrix<Double>) -> String {
        HTSRAnalyzer.analyze(LayerInput(name: "w", matrix: m), options: HTSROptions()).status.description
    }

    func testTinyEntriesAreNamedAsUnderflowNotWZero() {
        let s = status(gaussian(rows: 120, cols: 60, scale: 1e-300))
        XCTAssertTrue(s.hasPrefix("failed: ") && s.contains("underflow"), s)
        XCTAssertFalse(s.contains("W = 0"), s)
        XCTAssertEqual(status(Matrix(rows: 120, cols: 60, values: [Double](repeating: 0, count: 7200))),
                       "failed: all eigenvalues are zero (W = 0)")
    }

    func testHugeEntriesAreNamedAsOverflow() {
        let s = status(gaussian(rows: 120, cols: 60, scale: 1e300))
        XCTAssertTrue(s.hasPrefix("failed: ") && s.contains("overflow"), s)
        XCTAssertFalse(s.contains("LAPACK"), s)
        // An ordinary scale stays analysable: the limits are far from real weights.
        XCTAssertEqual(status(gaussian(rows: 120, cols: 60, scale: 1e60)), "ok")
        // (1e-60 is analysed too; its fit then fails on WeightWatcher's absolute 1e-5 floor.)
        XCTAssertFalse(status(gaussian(rows: 120, cols: 60, scale: 1e-60)).contains("underflow"))
    }

    func testOrthogonalMatrixHasADegenerateESDNotAnAlpha() {
        // Orthonormal columns (a 100 x 50 slice of a permutation, then signs): W^T W = I.
        var values = [Double](repeating: 0, count: 100 * 50)
        for j in 0..<50 { values[((j * 37) % 100) * 50 + j] = j % 2 == 0 ? 1 : -1 }
        let r = HTSRAnalyzer.analyze(LayerInput(name: "q", matrix: Matrix(rows: 100, cols: 50, values: values)), options: HTSROptions())
        XCTAssertTrue(r.status.description.contains("degenerate ESD"), r.status.description)
        XCTAssertNil(r.alpha)
        XCTAssertEqual(r.stableRank ?? 0, 50, accuracy: 1e-9, "the norm metrics still exist")
    }
}
