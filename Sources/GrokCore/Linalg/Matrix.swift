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
}
