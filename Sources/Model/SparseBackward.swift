import GrokCore

/// Which sparsity a sparse layer's backward uses. Below a ReLU the deltas are zero wherever
/// the unit was off, and late in a long run that is most of them (the paper recipe's hidden
/// layers at 2x10^6 steps: 97%), so the backward can skip them as well as the input's zeros.
/// Both ways give the same bits; only the time differs.
public enum BackwardSparsity: String, Sendable, CaseIterable {
    /// Per step and product, whichever costs less on this batch (`prefersScatter`,
    /// `prefersGather`).
    case automatic
    /// The input's zeros only: whole rows of the deltas and of W on the entry lists
    /// (`sparseProduct`).
    case inputSide = "input-side"
    /// Both sides: the weight gradient over (non-zero input, active unit) pairs only
    /// (`scatterWeightGradient`), the input gradient only where the unit below was active
    /// (`gatherInputGradient`).
    case bothSides = "both-sides"
}

/// The weight gradient of a layer whose input and deltas are both sparse:
///
///   dW^T[k, j] = sum over the rows r where unit j is active (ascending) of x[r, k] * d[r, j],
///
/// visiting only the non-zero x[r, k]. The terms left out are exactly the products with an
/// inactive unit's zero delta, and each element sums the same non-zero terms in the same order
/// with the same fused multiply-adds, so both paths give the same bits (for finite inputs: a
/// NaN input times a zero delta is NaN on the entry lists).
///
/// Units are taken `group` at a time (8 in f64, 16 in f32: one cache line of dW per input
/// unit); their columns accumulate in `scratch` ([nIn, group], 50 KB for layer 1, in L2) and
/// are then written into dW a whole line at a time. Measured against groups of 16 to 1600
/// bytes (`grok-train bench --phases`, the paper-late fixture): 16 bytes is 1.5-2x slower,
/// 32 to 1600 bytes are within the machine's noise, 64 bytes never worse.
/// `units` is the layer's active units by column: for unit j, the rows where it fired.
@inline(never)
func scatterWeightGradient<T: BLASScalar>(inputs x: SparseRowsView<T>, activeRows units: SparseColumnsView<T>,
                                          deltas d: UnsafePointer<T>, nIn: Int, nOut: Int,
                                          into dW: UnsafeMutablePointer<T>, scratch: UnsafeMutablePointer<T>) {
    let group = scatterGroup(T.self)
    var j0 = 0
    while j0 < nOut {
        let g = min(group, nOut - j0)
        scratch.update(repeating: 0, count: nIn * g)
        for u in 0..<g {
            let j = j0 + u
            let column = scratch + u
            for e in Int(units.start[j])..<Int(units.start[j + 1]) {
                let r = Int(units.index[e])
                let c = d[r * nOut + j]
                var f = Int(x.start[r])
                let end = Int(x.end[r])
                while f < end {
                    let slot = column + Int(x.index[f]) * g
                    slot.pointee = slot.pointee.addingProduct(x.values[f], c)
                    f += 1
                }
            }
        }
        for k in 0..<nIn {
            let from = scratch + k * g, to = dW + k * nOut + j0
            for u in 0..<g { to[u] = from[u] }
        }
        j0 += g
    }
}

/// Units per group in `scatterWeightGradient`: a cache line of them.
@inline(__always)
func scatterGroup<T>(_: T.Type) -> Int { max(1, 64 / MemoryLayout<T>.stride) }

extension MLP {
    /// The policy's answer when it forces one way; nil when the cost decides.
    var forcedBothSides: Bool? {
        switch backwardSparsity {
        case .inputSide: return false
        case .bothSides: return true
        case .automatic: return nil
        }
    }

    /// Whether the scatter weight gradient costs less than the entry lists for layer l on this
    /// batch.
    /// The entry lists do nnz(x) x nOut multiply-adds, a vector register's lanes at a time;
    /// the scatter does one scalar read-modify-write per (non-zero input, active unit) pair of
    /// a row, then writes all of dW. Measured (`grok-train bench --phases --sparsity`,
    /// one thread, CPU time, layer 1 of Prakash & Martin's network): a scatter product costs
    /// about two vector multiply-adds (8 entry-list products in f64, 16 in f32), an element of
    /// dW written about one. At the Omnigrok fixture's density (layer 1 19% active) the
    /// scatter takes 1.5-1.7x the entry lists; at the paper recipe's at 2x10^6 steps (2.7%
    /// active) 0.4x in f64 and 0.7x in f32.
    @inline(__always)
    func prefersScatter(layer l: Int, inputs x: SparseRowsView<T>, rows: Int) -> Bool {
        if let forced = forcedBothSides { return forced }
        let nIn = widths[l], nOut = widths[l + 1]
        let (inputNonzeros, products) = countPairs(x, workspace.active[l].view, rows: rows)
        let lanes = T.Register.scalarCount
        return lanes * (2 * products + nIn * nOut) < inputNonzeros * nOut
    }
}

/// The input gradient of a layer whose deltas are sparse, computed only where the unit below
/// was active (everywhere else the ReLU mask zeroes it): for row r and each active unit i of
/// the layer below,
///
///   dPrev[r, i] = sum over the active units j of row r (ascending) of d[r, j] * W[j, i],
///
/// a dot product over W^T's row i as stored (input-major), so no transposed copy of W is made.
/// The rest of each row is zero. Each element sums the same terms in the same order with the
/// same fused multiply-adds as the entry lists, so the bits are the same after the mask.
/// `coefficients` holds the row's active deltas in the order of `units` (filled here).
@inline(never)
func gatherInputGradient<T: BLASScalar>(units: SparseRowsView<T>, below: SparseRowsView<T>, deltas d: UnsafePointer<T>,
                                        weights w: UnsafePointer<T>, nIn: Int, nOut: Int, rows: Int,
                                        coefficients: UnsafeMutablePointer<T>, into dPrev: UnsafeMutablePointer<T>) {
    for r in 0..<rows {
        let out = dPrev + r * nIn, dr = d + r * nOut
        out.update(repeating: 0, count: nIn)
        let first = Int(units.start[r]), last = Int(units.end[r])
        for e in first..<last { coefficients[e] = dr[Int(units.index[e])] }
        for f in below.entries(r) {
            let i = Int(below.index[f])
            let column = w + i * nOut
            var acc: T = 0
            for e in first..<last { acc = acc.addingProduct(coefficients[e], column[Int(units.index[e])]) }
            out[i] = acc
        }
    }
}

extension MLP {
    /// Whether the gathered input gradient costs less than the entry lists for layer l (> 0).
    /// The entry lists transpose W (a scalar copy per element) and do nnz(deltas) x nIn
    /// multiply-adds a register's lanes at a time; the gather does one scalar multiply-add with
    /// a gathered weight per (active unit below, active unit) pair of a row, and zeroes the rows.
    /// Weighted as in `prefersScatter`: a scalar gathered product costs about two vector
    /// multiply-adds, a scalar copy about one.
    @inline(__always)
    func prefersGather(layer l: Int, rows: Int) -> Bool {
        if let forced = forcedBothSides { return forced }
        let nIn = widths[l], nOut = widths[l + 1]
        let (active, products) = countPairs(workspace.active[l].view, workspace.active[l - 1].view, rows: rows)
        let lanes = T.Register.scalarCount
        return lanes * 2 * products + rows * nIn < active * nIn + lanes * nIn * nOut
    }
}

/// Over the first `rows` rows: the entries of `a`, and the sum over rows of entries(a) x
/// entries(b) (the pairs a both-sided product visits).
@inline(__always)
func countPairs<T>(_ a: SparseRowsView<T>, _ b: SparseRowsView<T>, rows: Int) -> (entries: Int, products: Int) {
    var entries = 0, products = 0
    for r in 0..<rows {
        let n = a.entries(r).count
        entries += n
        products += n * b.entries(r).count
    }
    return (entries, products)
}
