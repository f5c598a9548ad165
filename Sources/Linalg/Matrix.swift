/// A dense row-major matrix: `rows x cols` values in one flat array. The layout is PyTorch's
/// and NumPy's default, so weights move between tools without transposes.
public struct Matrix<T: BLASScalar>: Sendable, Equatable {
    public let rows: Int
    public let cols: Int
    public var values: [T]

    @inlinable
    public init(rows: Int, cols: Int, values: [T]) {
        precondition(values.count == rows * cols, "Matrix: \(values.count) values for \(rows)x\(cols)")
        self.rows = rows; self.cols = cols; self.values = values
    }

    @inlinable
    public init(rows: Int, cols: Int, repeating v: T = 0) {
        self.init(rows: rows, cols: cols, values: [T](repeating: v, count: rows * cols))
    }

    @inlinable
    public subscript(r: Int, c: Int) -> T {
        get { values[r * cols + c] }
        set { values[r * cols + c] = newValue }
    }

    @inlinable
    public var transposed: Matrix<T> {
        var out = [T](repeating: 0, count: values.count)
        for r in 0..<rows { for c in 0..<cols { out[c * rows + r] = values[r * cols + c] } }
        return Matrix(rows: cols, cols: rows, values: out)
    }

    /// The same matrix in float64 (analysis is always done in double precision).
    @inlinable
    public var asDouble: Matrix<Double> {
        Matrix<Double>(rows: rows, cols: cols, values: values.map { Double($0) })
    }

    /// self * other, through BLAS.
    @inlinable
    public func matmul(_ other: Matrix<T>) -> Matrix<T> {
        precondition(cols == other.rows, "matmul: \(rows)x\(cols) times \(other.rows)x\(other.cols)")
        var out = Matrix<T>(rows: rows, cols: other.cols)
        values.withUnsafeBufferPointer { a in
            other.values.withUnsafeBufferPointer { b in
                out.values.withUnsafeMutableBufferPointer { c in
                    T.gemm(transA: false, transB: false, m: rows, n: other.cols, k: cols,
                           alpha: 1, a: a.baseAddress!, lda: cols, b: b.baseAddress!, ldb: other.cols,
                           beta: 0, c: c.baseAddress!, ldc: other.cols)
                }
            }
        }
        return out
    }
}
