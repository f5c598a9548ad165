/// Tiny dense row-major matrices (at most 10 x 10 here): plain loops beat a BLAS call's
/// overhead at this size, and the whole 170-parameter model lives in a few of these.
public struct SmallMatrix: Equatable, Sendable {
    public let rows: Int
    public let cols: Int
    public var values: [Double]

    public init(rows: Int, cols: Int, values: [Double]) {
        precondition(values.count == rows * cols, "SmallMatrix: \(values.count) values for \(rows)x\(cols)")
        self.rows = rows; self.cols = cols; self.values = values
    }

    public init(rows: Int, cols: Int) {
        self.init(rows: rows, cols: cols, values: [Double](repeating: 0, count: rows * cols))
    }

    public static func identity(_ n: Int) -> SmallMatrix {
        var m = SmallMatrix(rows: n, cols: n)
        for i in 0..<n { m[i, i] = 1 }
        return m
    }

    @inline(__always)
    public subscript(r: Int, c: Int) -> Double {
        get { values[r * cols + c] }
        set { values[r * cols + c] = newValue }
    }

    public var transposed: SmallMatrix {
        var t = SmallMatrix(rows: cols, cols: rows)
        for r in 0..<rows { for c in 0..<cols { t[c, r] = self[r, c] } }
        return t
    }

    public static func * (a: SmallMatrix, b: SmallMatrix) -> SmallMatrix {
        precondition(a.cols == b.rows, "SmallMatrix: \(a.rows)x\(a.cols) times \(b.rows)x\(b.cols)")
        var out = [Double](repeating: 0, count: a.rows * b.cols)
        a.values.withUnsafeBufferPointer { av in
            b.values.withUnsafeBufferPointer { bv in
                out.withUnsafeMutableBufferPointer { ov in
                    for i in 0..<a.rows {
                        for k in 0..<a.cols {
                            let aik = av[i * a.cols + k]
                            if aik == 0 { continue }
                            for j in 0..<b.cols { ov[i * b.cols + j] += aik * bv[k * b.cols + j] }
                        }
                    }
                }
            }
        }
        return SmallMatrix(rows: a.rows, cols: b.cols, values: out)
    }

    /// Sum of squared entries.
    public var squaredNorm: Double { values.reduce(0) { $0 + $1 * $1 } }

    /// Trace of a square matrix.
    public var trace: Double {
        precondition(rows == cols)
        return (0..<rows).reduce(0) { $0 + self[$1, $1] }
    }
}
