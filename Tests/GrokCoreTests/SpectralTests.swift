import XCTest
import GrokCore

/// LAPACK through Spectral, against hand-computed answers and identities checked with plain
/// loops (no BLAS in the checks).
final class SpectralTests: XCTestCase {
    func random(rows: Int, cols: Int, seed: UInt64) -> Matrix<Double> {
        var rng = SeededRandom(seed: seed, stream: "linalg-tests")
        return Matrix(rows: rows, cols: cols, values: (0..<(rows * cols)).map { _ in 2 * rng.nextUnit() - 1 })
    }

    func testSymmetricEigenvaluesOfKnownMatrices() throws {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3; a diagonal matrix its diagonal, ascending.
        let e = try Spectral.symmetricEigenvalues([2, 1, 1, 2], n: 2)
        XCTAssertEqual(e[0], 1, accuracy: 1e-14)
        XCTAssertEqual(e[1], 3, accuracy: 1e-14)
        XCTAssertEqual(try Spectral.symmetricEigenvalues([5, 0, 0, 0, -2, 0, 0, 0, 0.5], n: 3), [-2, 0.5, 5])
        XCTAssertEqual(try Spectral.symmetricEigenvalues([], n: 0), [])
    }

    func testGramIsWTransposeWForTallAndWWTransposeForWide() {
        // W = [[1, 2], [3, 4], [5, 6]]: W^T W = [[35, 44], [44, 56]]; W W^T of its transpose too.
        let tall = Matrix<Double>(rows: 3, cols: 2, values: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(Spectral.gram(tall), [35, 44, 44, 56])
        let wide = Matrix<Double>(rows: 2, cols: 3, values: [1, 3, 5, 2, 4, 6])
        XCTAssertEqual(Spectral.gram(wide), [35, 44, 44, 56])
    }

    func testSVDRebuildsTheMatrixWithOrthonormalFactors() throws {
        for (rows, cols) in [(30, 12), (12, 30), (17, 17)] {
            let w = random(rows: rows, cols: cols, seed: UInt64(rows * 100 + cols))
            let (u, s, vt) = try Spectral.svd(w)
            let k = min(rows, cols)
            XCTAssertEqual(s.count, k)
            XCTAssertEqual(s, s.sorted(by: >), "descending")
            XCTAssertTrue(s.allSatisfy { $0 >= 0 })
            var worst = 0.0
            for r in 0..<rows {
                for c in 0..<cols {
                    var x = 0.0
                    for j in 0..<k { x += u[r, j] * s[j] * vt[j, c] }
                    worst = max(worst, abs(x - w[r, c]))
                }
            }
            XCTAssertLessThan(worst, 1e-12, "U S V^T differs from W (\(rows)x\(cols))")
            for a in 0..<k {
                for b in 0..<k {
                    var uu = 0.0, vv = 0.0
                    for r in 0..<rows { uu += u[r, a] * u[r, b] }
                    for c in 0..<cols { vv += vt[a, c] * vt[b, c] }
                    XCTAssertEqual(uu, a == b ? 1 : 0, accuracy: 1e-12)
                    XCTAssertEqual(vv, a == b ? 1 : 0, accuracy: 1e-12)
                }
            }
            // The Gram route gives the same spectrum, squared.
            let squared = try Spectral.squaredSingularValues(w)
            for (x, y) in zip(squared, s.reversed().map { $0 * $0 }) { XCTAssertEqual(x, y, accuracy: 1e-11) }
        }
    }

    func testSVDOfAKnownRankOneMatrix() throws {
        // W = 2 * a b^T with unit a, b: one singular value 2, the others 0.
        let a = [0.6, 0.8, 0], b = [1.0, 0]
        let w = Matrix<Double>(rows: 3, cols: 2, values: a.flatMap { x in b.map { 2 * x * $0 } })
        let s = try Spectral.svd(w).s
        XCTAssertEqual(s[0], 2, accuracy: 1e-14)
        XCTAssertEqual(s[1], 0, accuracy: 1e-14)
    }
}
