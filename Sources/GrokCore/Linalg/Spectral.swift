import COpenBLAS

/// Eigenvalues and singular values through LAPACK (Fortran symbols, column-major).
public enum Spectral {
    /// Eigenvalues (ascending) of a symmetric n x n matrix given in row-major or column-major
    /// order (symmetric, so both are the same), eigenvalues only, divide and conquer (dsyevd).
    public static func symmetricEigenvalues(_ a: [Double], n: Int) throws -> [Double] {
        precondition(a.count == n * n)
        if n == 0 { return [] }
        var work = a
        var w = [Double](repeating: 0, count: n)
        var jobz = Int8(UInt8(ascii: "N")), uplo = Int8(UInt8(ascii: "L"))
        var nn = Int32(n), lda = Int32(n), info: Int32 = 0
        // Workspace query first.
        var lworkQuery = Double(0), liworkQuery: Int32 = 0
        var minus1: Int32 = -1
        dsyevd_(&jobz, &uplo, &nn, &work, &lda, &w, &lworkQuery, &minus1, &liworkQuery, &minus1, &info, 1, 1)
        guard info == 0 else { throw GrokError("LAPACK dsyevd workspace query failed (info \(info))") }
        var lwork = Int32(lworkQuery), liwork = max(liworkQuery, 1)
        var wk = [Double](repeating: 0, count: Int(max(lwork, 1)))
        var iwk = [Int32](repeating: 0, count: Int(liwork))
        dsyevd_(&jobz, &uplo, &nn, &work, &lda, &w, &wk, &lwork, &iwk, &liwork, &info, 1, 1)
        guard info == 0 else { throw GrokError("LAPACK dsyevd failed to converge (info \(info))") }
        return w
    }

    /// The Gram matrix G = W^T W (if rows >= cols) or W W^T (otherwise) of a row-major matrix,
    /// min(rows, cols) square, in float64. Its eigenvalues are the squared singular values of W.
    public static func gram(_ w: Matrix<Double>) -> [Double] {
        let m = min(w.rows, w.cols)
        var g = [Double](repeating: 0, count: m * m)
        w.values.withUnsafeBufferPointer { a in
            g.withUnsafeMutableBufferPointer { c in
                if w.rows >= w.cols {  // W^T W: (cols x rows)(rows x cols)
                    cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, blasint(m), blasint(w.rows),
                                1, a.baseAddress!, blasint(w.cols), 0, c.baseAddress!, blasint(m))
                } else {               // W W^T
                    cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, blasint(m), blasint(w.cols),
                                1, a.baseAddress!, blasint(w.cols), 0, c.baseAddress!, blasint(m))
                }
            }
        }
        // dsyrk fills the lower triangle only (row-major lower = column-major upper); mirror it
        // so the matrix is complete whichever triangle LAPACK reads.
        for i in 0..<m { for j in 0..<i { g[j * m + i] = g[i * m + j] } }
        return g
    }

    /// Squared singular values of W (ascending, min(rows, cols) of them), via the Gram matrix.
    public static func squaredSingularValues(_ w: Matrix<Double>) throws -> [Double] {
        let m = min(w.rows, w.cols)
        return try symmetricEigenvalues(gram(w), n: m).map { max($0, 0) }
    }

    /// Thin SVD of a row-major matrix: U (rows x k), s (descending, k), Vt (k x cols), k = min.
    public static func svd(_ w: Matrix<Double>) throws -> (u: Matrix<Double>, s: [Double], vt: Matrix<Double>) {
        // LAPACK is column-major: the row-major W is the column-major W^T (cols x rows).
        // SVD of W^T = V S U^T, so LAPACK's "U" is our V and its "VT" is our U^T.
        let m = Int32(w.cols), n = Int32(w.rows), k = Int(min(m, n))
        var a = w.values
        var s = [Double](repeating: 0, count: k)
        var uCol = [Double](repeating: 0, count: Int(m) * k)     // m x k column-major = our V
        var vtCol = [Double](repeating: 0, count: k * Int(n))    // k x n column-major = our U^T
        var jobz = Int8(UInt8(ascii: "S"))
        var mm = m, nn = n, lda = m, ldu = m, ldvt = Int32(k), info: Int32 = 0
        var iwork = [Int32](repeating: 0, count: 8 * k)
        var q = Double(0), minus1: Int32 = -1
        dgesdd_(&jobz, &mm, &nn, &a, &lda, &s, &uCol, &ldu, &vtCol, &ldvt, &q, &minus1, &iwork, &info, 1)
        guard info == 0 else { throw GrokError("LAPACK dgesdd workspace query failed (info \(info))") }
        var lwork = Int32(q)
        var work = [Double](repeating: 0, count: Int(max(lwork, 1)))
        dgesdd_(&jobz, &mm, &nn, &a, &lda, &s, &uCol, &ldu, &vtCol, &ldvt, &work, &lwork, &iwork, &info, 1)
        guard info == 0 else { throw GrokError("LAPACK dgesdd failed to converge (info \(info))") }
        // our U (rows x k) row-major: U[r][j] = (U^T)[j][r] = vtCol[j + r*k] (column-major k x n)
        var u = Matrix<Double>(rows: w.rows, cols: k)
        for r in 0..<w.rows { for j in 0..<k { u[r, j] = vtCol[j + r * k] } }
        // our Vt (k x cols) row-major: Vt[j][c] = V[c][j] = uCol[c + j*m]
        var vt = Matrix<Double>(rows: k, cols: w.cols)
        for j in 0..<k { for c in 0..<w.cols { vt[j, c] = uCol[c + j * Int(m)] } }
        return (u, s, vt)
    }
}
