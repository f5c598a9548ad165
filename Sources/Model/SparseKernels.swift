import GrokCore

// The sparse kernels' one product. Every sparse product of a step is a list of entries per
// output row, each entry a coefficient times a contiguous row of a dense matrix:
//
//   out[i, 0..<n] = initial + sum over entries e of row i of values[e] * M[index[e], 0..<n]
//
//   forward:          rows = batch rows, entries = the input's non-zeros, M = W^T [in, out]
//   weight gradient:  rows = input units, entries = the rows where the unit is non-zero (CSC),
//                     M = deltas [batch, out]
//   input gradient:   rows = batch rows, entries = the active units of the layer above with
//                     their deltas, M = W [out, in]
//
// The n columns are cut into tiles of at most 13 registers (Tiles.swift) of as equal a size as
// possible (a 200-wide f32 row: 13 + 12 registers; f64: 13 + 13 + 12 + 12). A tile stays in
// registers for one walk over a row's entries; the tiles are the outer loop, and M's rows are
// taken in blocks that fit L1 (`walkRows`), so the part of M a tile reads is reused from L1
// across the rows of the batch instead of streaming the whole of M for each row.

/// Per-row entry lists: row i's entries are `start[i] ..< end[i]` of `index` (rows of M) and
/// `values` (coefficients). CSR views give end = their end array, CSC views start + 1.
struct EntryLists<T> {
    let start: UnsafePointer<Int32>
    let end: UnsafePointer<Int32>
    let index: UnsafePointer<Int32>
    let values: UnsafePointer<T>

    init(_ rows: SparseRowsView<T>) { start = rows.start; end = rows.end; index = rows.index; values = rows.values }
    init(_ columns: SparseColumnsView<T>) {
        start = columns.start; end = columns.start + 1; index = columns.index; values = columns.values
    }
    init(_ rows: SparseRowsView<T>, values: UnsafePointer<T>) {
        start = rows.start; end = rows.end; index = rows.index; self.values = values
    }
}

/// out[i * ldOut + (0..<n)] = initial[0..<n] (zero when nil) + sum over row i's entries of
/// values[e] * matrix[index[e] * stride + (0..<n)], for i in `rows`. Entries are summed in
/// order, so results are deterministic. `matrixRows` is M's row count; `cursors` is scratch for
/// one Int32 per row (rows.upperBound of them).
@inline(never)
func sparseProduct<T: BLASScalar>(rows: Range<Int>, _ lists: EntryLists<T>, n: Int,
                                  into out: UnsafeMutablePointer<T>, ldOut: Int,
                                  matrix: UnsafePointer<T>, stride: Int, matrixRows: Int,
                                  initial: UnsafePointer<T>?, cursors: UnsafeMutablePointer<Int32>) {
    let lanes = T.Register.scalarCount
    let registers = n / lanes
    var tail = n - registers * lanes
    let tiles = max(1, (registers + maxTileRegisters - 1) / maxTileRegisters)
    var column = 0

    func walk<P: RowTile>(_: P.Type) where P.T == T {
        walkRows(P.self, rows: rows, lists, column: column, out: out, ldOut: ldOut, matrix: matrix, stride: stride,
                 matrixRows: matrixRows, initial: initial, cursors: cursors)
        column += P.width
    }
    func walk<Tail: RowTile>(registers: Int, tail _: Tail.Type) where Tail.T == T {
        switch registers {
        case 0: walk(Tail.self)
        case 1: walk(Join<R1<T>, Tail>.self)
        case 2: walk(Join<R2<T>, Tail>.self)
        case 3: walk(Join<R3<T>, Tail>.self)
        case 4: walk(Join<R4<T>, Tail>.self)
        case 5: walk(Join<R5<T>, Tail>.self)
        case 6: walk(Join<R6<T>, Tail>.self)
        case 7: walk(Join<R7<T>, Tail>.self)
        case 8: walk(Join<R8<T>, Tail>.self)
        case 9: walk(Join<R9<T>, Tail>.self)
        case 10: walk(Join<R10<T>, Tail>.self)
        case 11: walk(Join<R11<T>, Tail>.self)
        case 12: walk(Join<R12<T>, Tail>.self)
        default: walk(Join<R13<T>, Tail>.self)
        }
    }

    for t in 0..<tiles {
        let size = registers / tiles + (t < registers % tiles ? 1 : 0)
        // Two leftover columns ride along with the last tile when it has room.
        if t == tiles - 1, tail >= 2, size < maxTileRegisters {
            walk(registers: size, tail: Two<T>.self)
            tail -= 2
        } else if size > 0 {
            walk(registers: size, tail: Empty<T>.self)
        }
    }
    while tail >= 2 { walk(Two<T>.self); tail -= 2 }
    if tail == 1 {
        // One column (odd widths only): a scalar walk.
        let m = matrix + column
        for i in rows {
            var acc = initial.map { $0[column] } ?? 0
            for e in Int(lists.start[i])..<Int(lists.end[i]) {
                acc = acc.addingProduct(lists.values[e], m[Int(lists.index[e]) * stride])
            }
            out[i * ldOut + column] = acc
        }
    }
}

/// Bytes of M's tile columns one block spans: L1's 32 KiB, of which a block touches only the
/// rows its entries name (layer 1's ~450 of 784 pixels are ever non-zero). Measured on the
/// paper's network (f32, trained density): 16 KiB and 64 KiB blocks lose to 32 KiB, and no
/// blocking costs fwd1 and bwd1 about 1.3x.
let sparseBlockBytes = 32768

/// One tile's walk over `rows`: each output row's tile starts at `initial` (or zero),
/// accumulates the row's entries and is stored. When the tile's slice of M is larger than
/// L1 (layer 1's 784 weight rows, a batch of deltas), M's rows are taken in blocks of
/// `sparseBlockBytes`, every output row walking its entries that fall in the block before the
/// next block: the block is read from L1 by every row instead of from L2 or L3. Each output
/// element still sums its entries in list order (lists are sorted by index), so blocking
/// changes no bit of the result.
@inline(__always)
func walkRows<P: RowTile>(_: P.Type, rows: Range<Int>, _ lists: EntryLists<P.T>, column: Int,
                          out: UnsafeMutablePointer<P.T>, ldOut: Int, matrix: UnsafePointer<P.T>, stride: Int,
                          matrixRows: Int, initial: UnsafePointer<P.T>?, cursors: UnsafeMutablePointer<Int32>) {
    let m = matrix + column, index = lists.index, values = lists.values
    let first = initial.map { P(loading: $0 + column) } ?? P()
    let block = max(8, sparseBlockBytes / max(1, P.width * MemoryLayout<P.T>.stride))
    if matrixRows <= block {
        for i in rows {
            var acc = first
            var e = Int(lists.start[i])
            let end = Int(lists.end[i])
            while e < end {
                acc.addProduct(values[e], m + Int(index[e]) * stride)
                e += 1
            }
            acc.store(out + i * ldOut + column)
        }
        return
    }
    for i in rows {
        first.store(out + i * ldOut + column)
        cursors[i] = lists.start[i]
    }
    var lo = 0
    while lo < matrixRows {
        let hi = Int32(truncatingIfNeeded: min(lo + block, matrixRows))
        for i in rows {
            var e = Int(cursors[i])
            let end = Int(lists.end[i])
            guard e < end, index[e] < hi else { continue }
            let o = out + i * ldOut + column
            var acc = P(loading: o)
            repeat {
                acc.addProduct(values[e], m + Int(index[e]) * stride)
                e += 1
            } while e < end && index[e] < hi
            acc.store(o)
            cursors[i] = Int32(truncatingIfNeeded: e)
        }
        lo += block
    }
}

/// b = a^T for a row-major [rows, cols] block, in 16 x 16 tiles (both sides stay in cache).
@inline(__always)
func transpose<T: BLASScalar>(_ a: UnsafePointer<T>, rows: Int, cols: Int, into b: UnsafeMutablePointer<T>) {
    let t = 16
    var i0 = 0
    while i0 < rows {
        let i1 = min(i0 + t, rows)
        var j0 = 0
        while j0 < cols {
            let j1 = min(j0 + t, cols)
            for i in i0..<i1 { for j in j0..<j1 { b[j * rows + i] = a[i * cols + j] } }
            j0 = j1
        }
        i0 = i1
    }
}

/// Splits 0..<count into `parts` contiguous, deterministic ranges and runs them, in parallel
/// when parts > 1. Each output element belongs to exactly one range, so results do not depend
/// on scheduling: a run is bit-identical for a given thread count.
@inline(__always)
func forEachRange(_ count: Int, parts: Int, _ body: (Range<Int>) -> Void) {
    if parts <= 1 || count < 2 * parts {
        body(0..<count)
        return
    }
    withoutActuallyEscaping(body) { body in
        let box = UncheckedBox(body)
        DispatchQueueRunner.run(parts) { p in
            let lo = count * p / parts, hi = count * (p + 1) / parts
            box.value(lo..<hi)
        }
    }
}

struct UncheckedBox<V>: @unchecked Sendable {
    let value: V
    init(_ value: V) { self.value = value }
}
