import GrokCore

/// Rows of a sparse [rows, columns] block (CSR): row r's non-zeros are entries
/// `start[r] ..< end[r]` of `index` (their columns, increasing) and `values`. Packed blocks
/// have `end = start + 1`; the model's active-unit lists give each row a fixed slot instead, so
/// rows can be filled in parallel. Offsets are absolute: rows a... of a view is `dropping(rows: a)`.
public struct SparseRowsView<T>: @unchecked Sendable {
    public let start: UnsafePointer<Int32>
    public let end: UnsafePointer<Int32>
    public let index: UnsafePointer<Int32>
    public let values: UnsafePointer<T>
    public init(start: UnsafePointer<Int32>, end: UnsafePointer<Int32>, index: UnsafePointer<Int32>, values: UnsafePointer<T>) {
        self.start = start; self.end = end; self.index = index; self.values = values
    }
    /// Rows `first...` of this view.
    @inline(__always) public func dropping(rows first: Int) -> SparseRowsView<T> {
        SparseRowsView(start: start + first, end: end + first, index: index, values: values)
    }
    @inline(__always) public func entries(_ r: Int) -> Range<Int> { Int(start[r])..<Int(end[r]) }
}

/// Columns of a sparse block (CSC): column k's non-zeros are entries `start[k] ..< start[k + 1]`
/// of `index` (their rows, increasing: the weight gradient sums rows in order, deterministic)
/// and `values`.
public struct SparseColumnsView<T>: @unchecked Sendable {
    public let start: UnsafePointer<Int32>
    public let index: UnsafePointer<Int32>
    public let values: UnsafePointer<T>
}

/// An owned CSR block with room for `capacityRows` rows of `columns` entries, allocated once:
/// it is refilled every step without allocating.
public final class SparseRows<T: BLASScalar>: @unchecked Sendable {
    public let columns: Int
    public let capacityRows: Int
    public let capacityNonzeros: Int
    let start: UnsafeMutablePointer<Int32>
    let index: UnsafeMutablePointer<Int32>
    let values: UnsafeMutablePointer<T>
    public private(set) var rows = 0

    public init(capacityRows: Int, columns: Int, capacityNonzeros: Int? = nil) {
        self.columns = columns
        self.capacityRows = capacityRows
        self.capacityNonzeros = capacityNonzeros ?? capacityRows * columns
        start = .allocate(capacity: capacityRows + 1); start.initialize(repeating: 0, count: capacityRows + 1)
        index = .allocate(capacity: max(self.capacityNonzeros, 1)); index.initialize(repeating: 0, count: max(self.capacityNonzeros, 1))
        values = .allocate(capacity: max(self.capacityNonzeros, 1)); values.initialize(repeating: 0, count: max(self.capacityNonzeros, 1))
    }

    deinit { start.deallocate(); index.deallocate(); values.deallocate() }

    public var view: SparseRowsView<T> { SparseRowsView(start: start, end: start + 1, index: index, values: values) }
    public var nonzeros: Int { Int(start[rows]) }

    /// The non-zeros of a dense row-major [rows, columns] block. NaN counts as non-zero, so a
    /// diverging run still shows NaN downstream.
    public func fill(dense a: UnsafePointer<T>, rows: Int) {
        precondition(rows <= capacityRows, "SparseRows: \(rows) rows > capacity \(capacityRows)")
        self.rows = rows
        var n: Int32 = 0
        start[0] = 0
        for r in 0..<rows {
            let row = a + r * columns
            precondition(Int(n) + columns <= max(capacityNonzeros, columns * capacityRows), "SparseRows: capacity")
            n = Int32(compact(row, count: columns, index: index, values: values, at: Int(n)))
            start[r + 1] = n
        }
    }

    /// Gathers whole rows `ids` of `source` (one row each, in order), e.g. a reshuffled batch
    /// from the training set's structure built once.
    public func fill(gathering ids: ArraySlice<Int>, from source: SparseRowsView<T>) {
        var n = 0, r = 0
        start[0] = 0
        for i in ids {
            let a = Int(source.start[i]), b = Int(source.end[i])
            precondition(n + b - a <= capacityNonzeros, "SparseRows: gathered rows exceed capacity")
            (index + n).update(from: source.index + a, count: b - a)
            (values + n).update(from: source.values + a, count: b - a)
            n += b - a; r += 1
            start[r] = Int32(n)
        }
        rows = r
    }
}

/// The active (non-zero) units of a hidden layer's output, one fixed slot of `columns` entries
/// per row, so the ReLU epilogue can record them row by row on any thread.
public final class ActiveUnits<T: BLASScalar>: @unchecked Sendable {
    public let columns: Int
    let start: UnsafeMutablePointer<Int32>
    let end: UnsafeMutablePointer<Int32>
    let index: UnsafeMutablePointer<Int32>
    let values: UnsafeMutablePointer<T>

    public init(capacityRows: Int, columns: Int) {
        self.columns = columns
        start = .allocate(capacity: capacityRows); end = .allocate(capacity: capacityRows)
        for r in 0..<capacityRows { start[r] = Int32(r * columns) }
        end.update(from: start, count: capacityRows)
        index = .allocate(capacity: capacityRows * columns); index.initialize(repeating: 0, count: capacityRows * columns)
        values = .allocate(capacity: capacityRows * columns); values.initialize(repeating: 0, count: capacityRows * columns)
    }

    deinit { start.deallocate(); end.deallocate(); index.deallocate(); values.deallocate() }

    public var view: SparseRowsView<T> { SparseRowsView(start: start, end: end, index: index, values: values) }

    /// relu(out + bias) in place (bias optional) and row r's non-zero units recorded, in one
    /// pass over the row: the hidden layers' epilogue under the sparse kernels.
    @inline(__always) public func recordReLU(row r: Int, in out: UnsafeMutablePointer<T>, bias: UnsafePointer<T>?) {
        end[r] = Int32(compactReLU(out, bias: bias, count: columns, index: index, values: values, at: Int(start[r])))
    }

    /// Non-zeros over the first `rows` rows.
    public func nonzeros(rows: Int) -> Int { (0..<rows).reduce(0) { $0 + Int(end[$1] - start[$1]) } }
}

/// An owned CSC block, rebuilt from a CSR block by a counting sort (no allocation).
public final class SparseColumns<T: BLASScalar>: @unchecked Sendable {
    public let columns: Int
    let start: UnsafeMutablePointer<Int32>
    let next: UnsafeMutablePointer<Int32>
    let index: UnsafeMutablePointer<Int32>
    let values: UnsafeMutablePointer<T>
    public let capacityNonzeros: Int

    public init(columns: Int, capacityNonzeros: Int) {
        self.columns = columns
        self.capacityNonzeros = capacityNonzeros
        start = .allocate(capacity: columns + 1); start.initialize(repeating: 0, count: columns + 1)
        next = .allocate(capacity: columns + 1); next.initialize(repeating: 0, count: columns + 1)
        index = .allocate(capacity: max(capacityNonzeros, 1)); index.initialize(repeating: 0, count: max(capacityNonzeros, 1))
        values = .allocate(capacity: max(capacityNonzeros, 1)); values.initialize(repeating: 0, count: max(capacityNonzeros, 1))
    }

    deinit { start.deallocate(); next.deallocate(); index.deallocate(); values.deallocate() }

    public var view: SparseColumnsView<T> { SparseColumnsView(start: start, index: index, values: values) }

    /// The transpose structure of `rows` rows of a CSR block (rows ascending within a column).
    public func fill(from csr: SparseRowsView<T>, rows: Int) {
        start.update(repeating: 0, count: columns + 1)
        var total = 0
        for r in 0..<rows {
            for e in csr.entries(r) { start[Int(csr.index[e]) + 1] += 1 }
            total += csr.entries(r).count
        }
        precondition(total <= capacityNonzeros, "SparseColumns: \(total) non-zeros > capacity \(capacityNonzeros)")
        for k in 0..<columns { start[k + 1] += start[k] }
        next.update(from: start, count: columns)
        for r in 0..<rows {
            for e in csr.entries(r) {
                let k = Int(csr.index[e])
                let slot = Int(next[k]); next[k] += 1
                index[slot] = Int32(r); values[slot] = csr.values[e]
            }
        }
    }
}

/// A batch as the layers see it: dense rows, and optionally the sparse structure of the same
/// rows (the sparse kernels need both views of layer 1's input: rows forward, columns for the
/// weight gradient). Pointers stay valid while the feeder that made it lives.
public struct LayerBatch<T>: @unchecked Sendable {
    public let inputs: UnsafePointer<T>
    /// Needed by the loss head only (nil for a forward pass).
    public let labels: UnsafePointer<Int32>?
    public let count: Int
    public let rows: SparseRowsView<T>?
    public let columns: SparseColumnsView<T>?
    public init(inputs: UnsafePointer<T>, labels: UnsafePointer<Int32>?, count: Int,
                rows: SparseRowsView<T>? = nil, columns: SparseColumnsView<T>? = nil) {
        self.inputs = inputs; self.labels = labels; self.count = count; self.rows = rows; self.columns = columns
    }
}

/// Appends the non-zero entries (±0 skipped, NaN kept) of `count` values at `a` to
/// index/values from position `at`; returns the new end. Needs room for `count` entries.
///
/// Branch-free: every entry is written and the position advances by 0 or 1. The test reads
/// the value's bits as an integer loaded from memory: given the float, LLVM turns any zero
/// test back into a float compare and then into two branches, which mispredict on half the
/// units of a ReLU layer and cost more than the products they save.
@inline(__always)
func compact<T: BLASScalar>(_ a: UnsafePointer<T>, count: Int, index: UnsafeMutablePointer<Int32>,
                            values: UnsafeMutablePointer<T>, at: Int) -> Int {
    let src = UnsafeRawPointer(a), dst = UnsafeMutableRawPointer(values)
    var n = at
    if MemoryLayout<T>.size == 4 {
        let s = src.assumingMemoryBound(to: UInt32.self), d = dst.assumingMemoryBound(to: UInt32.self)
        for k in 0..<count {
            let bits = s[k], x = bits &<< 1
            index[n] = Int32(truncatingIfNeeded: k)
            d[n] = bits
            n &+= Int(truncatingIfNeeded: (x | (0 &- x)) &>> 31)   // 1 iff x != 0, no compare
        }
    } else {
        let s = src.assumingMemoryBound(to: UInt64.self), d = dst.assumingMemoryBound(to: UInt64.self)
        for k in 0..<count {
            let bits = s[k], x = bits &<< 1
            index[n] = Int32(truncatingIfNeeded: k)
            d[n] = bits
            n &+= Int(truncatingIfNeeded: (x | (0 &- x)) &>> 63)
        }
    }
    return n
}

/// `compact` fused with the ReLU before it: a[k] = max(a[k] + bias[k], 0) (bias optional;
/// Swift.max keeps NaN, as `addBiasReLU`), stored back and appended when non-zero. After the
/// ReLU the only zero is +0, so the test is "bits != 0", read back from memory as an integer
/// for the reason `compact` gives (a float test becomes a mispredicted branch).
///
/// A register of units at a time: late in a long run 94-97% of the hidden units are off, so
/// most registers are all zero after the ReLU and are skipped by one well-predicted branch;
/// only a register with an active unit is compacted unit by unit. Lane by lane the ReLU is
/// Swift.max(x, 0) exactly: `x <= 0` takes -0 to +0 and keeps NaN.
@inline(__always)
func compactReLU<T: BLASScalar>(_ a: UnsafeMutablePointer<T>, bias: UnsafePointer<T>?, count: Int,
                                index: UnsafeMutablePointer<Int32>, values: UnsafeMutablePointer<T>, at: Int) -> Int {
    let lanes = T.Register.scalarCount
    var n = at, k = 0
    while k + lanes <= count {
        if reluRegister(a + k, bias: bias.map { $0 + k }) {
            for j in k..<(k + lanes) {
                index[n] = Int32(truncatingIfNeeded: j)
                values[n] = a[j]
                n &+= nonzeroBits(a + j)
            }
        }
        k += lanes
    }
    for j in k..<count {
        let x = Swift.max(a[j] + (bias?[j] ?? 0), 0)
        a[j] = x
        index[n] = Int32(truncatingIfNeeded: j)
        values[n] = x
        n &+= nonzeroBits(a + j)
    }
    return n
}

/// One register of units through the ReLU in place (bias optional), as `compactReLU` defines
/// it; true when any unit is non-zero after it. Written for the concrete vector types: through
/// the generic `T.Register` the mask operations are not specialized and cost a call each.
@inline(__always)
func reluRegister<T: BLASScalar>(_ a: UnsafeMutablePointer<T>, bias: UnsafePointer<T>?) -> Bool {
    if MemoryLayout<T>.size == 4 {
        return reluRegister(UnsafeMutableRawPointer(a), bias: bias.map(UnsafeRawPointer.init), SIMD8<Float>.self)
    }
    return reluRegister(UnsafeMutableRawPointer(a), bias: bias.map(UnsafeRawPointer.init), SIMD4<Double>.self)
}

@inline(__always)
func reluRegister(_ a: UnsafeMutableRawPointer, bias: UnsafeRawPointer?, _: SIMD8<Float>.Type) -> Bool {
    var x = UnsafeRawPointer(a).loadUnaligned(as: SIMD8<Float>.self)
    if let bias { x += bias.loadUnaligned(as: SIMD8<Float>.self) }
    x.replace(with: 0, where: x .<= 0)
    a.storeBytes(of: x, as: SIMD8<Float>.self)
    return any(x .!= 0)
}

@inline(__always)
func reluRegister(_ a: UnsafeMutableRawPointer, bias: UnsafeRawPointer?, _: SIMD4<Double>.Type) -> Bool {
    var x = UnsafeRawPointer(a).loadUnaligned(as: SIMD4<Double>.self)
    if let bias { x += bias.loadUnaligned(as: SIMD4<Double>.self) }
    x.replace(with: 0, where: x .<= 0)
    a.storeBytes(of: x, as: SIMD4<Double>.self)
    return any(x .!= 0)
}

/// 1 if the value's bits are not all zero, else 0, without a compare.
@inline(__always)
func nonzeroBits<T: BLASScalar>(_ p: UnsafePointer<T>) -> Int {
    if MemoryLayout<T>.size == 4 {
        let b = UnsafeRawPointer(p).load(as: UInt32.self)
        return Int(truncatingIfNeeded: (b | (0 &- b)) &>> 31)
    }
    let b = UnsafeRawPointer(p).load(as: UInt64.self)
    return Int(truncatingIfNeeded: (b | (0 &- b)) &>> 63)
}
