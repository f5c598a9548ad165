import Linalg

// The sparse kernels' two inner loops. Both work on contiguous rows of length n (a layer's
// output width) so every load is a full vector:
//
//   accumulate: out[0..<n] += sum_e values[e] * M[index[e], 0..<n]
//     (forward: a row of x W with W stored input-major; weight gradient: a row of dW^T = x^T dz)
//     The output is held in registers a tile at a time (8, then 4, then 1 vector of 16) while
//     the kernel walks the entries, one broadcast fused multiply-add per entry and vector.
//     (input gradient: a row of dz W, over the active units of dz, with W stored [out, in])
//
// Generic over Float/Double; called only from MLP methods pre-specialized for both, so these
// compile to straight AVX-512 code (SIMD16<Double> is two registers).

typealias Vec<T: BLASScalar> = SIMD16<T>

@inline(__always) func load<T: BLASScalar>(_ p: UnsafePointer<T>) -> Vec<T> {
    UnsafeRawPointer(p).loadUnaligned(as: Vec<T>.self)
}

@inline(__always) func store<T: BLASScalar>(_ v: Vec<T>, _ p: UnsafeMutablePointer<T>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vec<T>.self)
}

/// out[0..<n] += sum over entries e in `range` of values[e] * matrix[index[e] * stride ..< +n].
/// Entries are summed in order (deterministic).
@inline(__always)
func accumulate<T: BLASScalar>(into out: UnsafeMutablePointer<T>, n: Int,
                               index: UnsafePointer<Int32>, values: UnsafePointer<T>, range: Range<Int>,
                               matrix: UnsafePointer<T>, stride: Int) {
    let w = Vec<T>.scalarCount
    if n == 12 * w + 8 {
        accumulateRow200(into: out, index: index, values: values, range: range, matrix: matrix, stride: stride)
        return
    }
    var j = 0
    while j + 8 * w <= n {
        var a0 = load(out + j), a1 = load(out + j + w), a2 = load(out + j + 2 * w), a3 = load(out + j + 3 * w)
        var a4 = load(out + j + 4 * w), a5 = load(out + j + 5 * w), a6 = load(out + j + 6 * w), a7 = load(out + j + 7 * w)
        for e in range {
            let v = Vec<T>(repeating: values[e])
            let m = matrix + Int(index[e]) * stride + j
            a0.addProduct(v, load(m)); a1.addProduct(v, load(m + w))
            a2.addProduct(v, load(m + 2 * w)); a3.addProduct(v, load(m + 3 * w))
            a4.addProduct(v, load(m + 4 * w)); a5.addProduct(v, load(m + 5 * w))
            a6.addProduct(v, load(m + 6 * w)); a7.addProduct(v, load(m + 7 * w))
        }
        store(a0, out + j); store(a1, out + j + w); store(a2, out + j + 2 * w); store(a3, out + j + 3 * w)
        store(a4, out + j + 4 * w); store(a5, out + j + 5 * w); store(a6, out + j + 6 * w); store(a7, out + j + 7 * w)
        j += 8 * w
    }
    if n - j == 4 * w + 8 {
        // A 200-wide row after the first 128: 4 vectors and a half in one pass, so no entry
        // walk is left with a single accumulator (a chain of dependent FMAs).
        let o8 = UnsafeMutableRawPointer(out + j + 4 * w)
        var a0 = load(out + j), a1 = load(out + j + w), a2 = load(out + j + 2 * w), a3 = load(out + j + 3 * w)
        var h = o8.loadUnaligned(as: SIMD8<T>.self)
        for e in range {
            let x = values[e]
            let v = Vec<T>(repeating: x)
            let m = matrix + Int(index[e]) * stride + j
            a0.addProduct(v, load(m)); a1.addProduct(v, load(m + w))
            a2.addProduct(v, load(m + 2 * w)); a3.addProduct(v, load(m + 3 * w))
            h.addProduct(SIMD8<T>(repeating: x), UnsafeRawPointer(m + 4 * w).loadUnaligned(as: SIMD8<T>.self))
        }
        store(a0, out + j); store(a1, out + j + w); store(a2, out + j + 2 * w); store(a3, out + j + 3 * w)
        o8.storeBytes(of: h, as: SIMD8<T>.self)
        return
    }
    while j + 4 * w <= n {
        var a0 = load(out + j), a1 = load(out + j + w), a2 = load(out + j + 2 * w), a3 = load(out + j + 3 * w)
        for e in range {
            let v = Vec<T>(repeating: values[e])
            let m = matrix + Int(index[e]) * stride + j
            a0.addProduct(v, load(m)); a1.addProduct(v, load(m + w))
            a2.addProduct(v, load(m + 2 * w)); a3.addProduct(v, load(m + 3 * w))
        }
        store(a0, out + j); store(a1, out + j + w); store(a2, out + j + 2 * w); store(a3, out + j + 3 * w)
        j += 4 * w
    }
    while j + w <= n {
        var a0 = load(out + j)
        for e in range {
            a0.addProduct(Vec<T>(repeating: values[e]), load(matrix + Int(index[e]) * stride + j))
        }
        store(a0, out + j)
        j += w
    }
    if j + 8 <= n {
        // Half a vector: the 8 columns a 200-wide row leaves over.
        let o = UnsafeMutableRawPointer(out + j)
        var a0 = o.loadUnaligned(as: SIMD8<T>.self)
        for e in range {
            let m = UnsafeRawPointer(matrix + Int(index[e]) * stride + j)
            a0.addProduct(SIMD8<T>(repeating: values[e]), m.loadUnaligned(as: SIMD8<T>.self))
        }
        o.storeBytes(of: a0, as: SIMD8<T>.self)
        j += 8
    }
    if j < n {
        // The last < 8 columns (a 10-wide output layer's 2), scalar.
        for e in range {
            let v = values[e], m = matrix + Int(index[e]) * stride
            for t in j..<n { out[t] += v * m[t] }
        }
    }
}

/// `accumulate` for a 200-wide row (the paper's hidden width): the whole output row lives in
/// registers (12 vectors of 16 and one of 8: 13 AVX-512 registers in f32, 25 in f64) for one
/// walk over the entries, so each weight row streams through once.
@inline(__always)
func accumulateRow200<T: BLASScalar>(into out: UnsafeMutablePointer<T>, index: UnsafePointer<Int32>,
                                     values: UnsafePointer<T>, range: Range<Int>,
                                     matrix: UnsafePointer<T>, stride: Int) {
    let w = Vec<T>.scalarCount
    var a0 = load(out), a1 = load(out + w), a2 = load(out + 2 * w), a3 = load(out + 3 * w)
    var a4 = load(out + 4 * w), a5 = load(out + 5 * w), a6 = load(out + 6 * w), a7 = load(out + 7 * w)
    var a8 = load(out + 8 * w), a9 = load(out + 9 * w), a10 = load(out + 10 * w), a11 = load(out + 11 * w)
    let o8 = UnsafeMutableRawPointer(out + 12 * w)
    var h = o8.loadUnaligned(as: SIMD8<T>.self)
    for e in range {
        let x = values[e]
        let v = Vec<T>(repeating: x)
        let m = matrix + Int(index[e]) * stride
        a0.addProduct(v, load(m)); a1.addProduct(v, load(m + w)); a2.addProduct(v, load(m + 2 * w))
        a3.addProduct(v, load(m + 3 * w)); a4.addProduct(v, load(m + 4 * w)); a5.addProduct(v, load(m + 5 * w))
        a6.addProduct(v, load(m + 6 * w)); a7.addProduct(v, load(m + 7 * w)); a8.addProduct(v, load(m + 8 * w))
        a9.addProduct(v, load(m + 9 * w)); a10.addProduct(v, load(m + 10 * w)); a11.addProduct(v, load(m + 11 * w))
        h.addProduct(SIMD8<T>(repeating: x), UnsafeRawPointer(m + 12 * w).loadUnaligned(as: SIMD8<T>.self))
    }
    store(a0, out); store(a1, out + w); store(a2, out + 2 * w); store(a3, out + 3 * w)
    store(a4, out + 4 * w); store(a5, out + 5 * w); store(a6, out + 6 * w); store(a7, out + 7 * w)
    store(a8, out + 8 * w); store(a9, out + 9 * w); store(a10, out + 10 * w); store(a11, out + 11 * w)
    o8.storeBytes(of: h, as: SIMD8<T>.self)
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
