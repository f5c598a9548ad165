import GrokCore

/// How a sparse layer's weight gradient is computed.
public enum WeightGradientPath: String, Sendable, CaseIterable {
    /// Per step, whichever of the two costs less on this batch (see `MLP.prefersScatter`).
    case automatic
    /// A row of dW^T per input unit, summing whole rows of the deltas (`sparseProduct`).
    case entryLists = "entry-lists"
    /// Only the products of a non-zero input with an active unit's delta (`scatterWeightGradient`).
    case scatter
}

/// The weight gradient of a layer whose input and deltas are both sparse:
///
///   dW^T[k, j] = sum over the rows r where unit j is active (ascending) of x[r, k] * d[r, j],
///
/// visiting only the non-zero x[r, k]. Below a ReLU layer the deltas are zero wherever the unit
/// was off, and late in a long run that is ~97% of them (the paper recipe's hidden layers at
/// 2x10^6 steps), so the entry lists' whole delta rows are mostly multiplications by zero.
/// The terms left out are exactly those zero products, and each element sums the same
/// non-zero terms in the same order with the same fused multiply-adds, so both paths give
/// the same bits (for finite inputs: a NaN input times a zero delta is NaN on the entry lists).
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
    /// Whether the scatter path costs less than the entry lists for layer l on this batch.
    /// The entry lists do nnz(x) x nOut multiply-adds, a vector register's lanes at a time;
    /// the scatter does one scalar read-modify-write per (non-zero input, active unit) pair of
    /// a row, then writes all of dW. Measured (`grok-train bench --phases --gradient-path`,
    /// one thread, CPU time, layer 1 of Prakash & Martin's network): a scatter product costs
    /// about two vector multiply-adds (8 entry-list products in f64, 16 in f32), an element of
    /// dW written about one. At the Omnigrok fixture's density (layer 1 19% active) the
    /// scatter takes 1.5-1.7x the entry lists; at the paper recipe's at 2x10^6 steps (2.7%
    /// active) 0.4x in f64 and 0.7x in f32.
    @inline(__always)
    func prefersScatter(layer l: Int, inputs x: SparseRowsView<T>, rows: Int) -> Bool {
        switch weightGradientPath {
        case .entryLists: return false
        case .scatter: return true
        case .automatic: break
        }
        let nIn = widths[l], nOut = widths[l + 1]
        let units = workspace.active[l].view
        var inputNonzeros = 0, products = 0
        for r in 0..<rows {
            let n = x.entries(r).count
            inputNonzeros += n
            products += n * units.entries(r).count
        }
        let lanes = T.Register.scalarCount
        return lanes * (2 * products + nIn * nOut) < inputNonzeros * nOut
    }
}
