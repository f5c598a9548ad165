import Foundation

/// One correlation trap: an eigenvalue of the shuffled matrix above the MP bulk.
public struct TrapDetail: Sendable, Codable, Equatable {
    /// The trap eigenvalue (original scale, randomized ESD).
    public var eigenvalue: Double
    /// (eigenvalue - rand_bulk_max) / rand_bulk_max: how far above the edge, in edges.
    public var height: Double
    /// The entries of W most likely behind it (see `TrapEntry`).
    public var entries: [TrapEntry]
}

/// An entry of W: position in the tensor as given (row, column; for Conv2D the flat index
/// is reported as row = index / (in*kh*kw), column = the rest), its value and how many
/// standard deviations it lies from the mean of all entries.
///
/// Why these entries: shuffling keeps every entry and destroys every arrangement, so an
/// eigenvalue that stays outside the bulk after shuffling comes from individual outlier
/// entries. A lone entry w in an N x M noise matrix of entry deviation s is a rank-one
/// perturbation of strength |w|; it separates from the bulk only above the BBP threshold
/// |w| > s (N M)^(1/4), and then yields a singular value that grows with |w|. So the candidate
/// sources are the entries beyond that threshold, and the traps, largest first, are matched
/// to them by decreasing |w|: trap j (0-based) lists the candidates ranked j, j+1, ...,
/// j+k-1, the first being its most likely source. This is a ranking, not a proof: among
/// outliers of equal size the assignment is arbitrary, and a trap with no entry listed comes
/// from many moderate entries acting together.
public struct TrapEntry: Sendable, Codable, Equatable {
    public var row: Int
    public var column: Int
    public var value: Double
    public var zScore: Double
}

enum Randomization {
    /// Jensen-Shannon distance between two ascending eigenvalue lists of equal length, each
    /// normalized to sum 1, compared position by position (natural logs).
    static func jensenShannon(_ a: [Double], _ b: [Double]) -> Double {
        let sa = a.reduce(0, +), sb = b.reduce(0, +)
        var kl1 = 0.0, kl2 = 0.0
        for (x, y) in zip(a, b) {
            let p = x / sa, q = y / sb, m = (p + q) / 2
            if p > 0 { kl1 += p * log(p / m) }
            if q > 0 { kl2 += q * log(q / m) }
        }
        return ((kl1 + kl2) / 2).squareRoot()
    }

    /// The `count` largest-|w| entries that lie beyond the BBP threshold sd * (N M)^(1/4) from
    /// the mean, largest first (ties by position), with z-scores.
    static func largestEntries(_ values: [Double], columns: Int, count: Int, N: Int, M: Int) -> [TrapEntry] {
        guard count > 0, !values.isEmpty else { return [] }
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        let sd = variance.squareRoot()
        // Partial selection: keep a small sorted buffer of the best indices.
        var top: [Int] = []
        top.reserveCapacity(count + 1)
        for (i, v) in values.enumerated() {
            let m = abs(v)
            if top.count == count, let lastIdx = top.last, abs(values[lastIdx]) >= m { continue }
            var pos = top.count
            while pos > 0 && abs(values[top[pos - 1]]) < m { pos -= 1 }
            top.insert(i, at: pos)
            if top.count > count { top.removeLast() }
        }
        let threshold = sd * pow(Double(N) * Double(M), 0.25)
        top.removeAll { abs(values[$0] - mean) <= threshold }
        return top.map { i in
            TrapEntry(row: i / columns, column: i % columns, value: values[i],
                      zScore: sd > 0 ? abs(values[i] - mean) / sd : 0)
        }
    }
}
