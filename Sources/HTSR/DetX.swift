import Foundation

/// WeightWatcher's "detX" (ERG) condition, as `analyze(detX=True)` of release 0.7.7 computes it.
///
/// The eigenvalues are rescaled to unit mean (lambda * n / sum lambda). Walking down from the
/// largest, the tail [i, n) grows until the product of its eigenvalues first drops below 1
/// (det X = 1 of the tail's correlation matrix, the exact-renormalization-group condition of
/// Martin & Hinrichs' SETOL theory). `count` is that tail's size (`detX_num`, also called
/// `num_ERG_spikes`). The theory's ideal layer has this tail start where the power-law tail
/// starts, so `ERG_gap = detX_num - num_pl_spikes` near 0 marks an "ideal" layer, and its sign
/// says which tail is longer.
///
/// The reference's quirks are kept so the numbers agree: when no tail's product drops below 1
/// the count is all n eigenvalues and the value is taken at index 1 (where its loop stops), and
/// its column names are swapped: `detX_val` is on the original scale, `detX_val_unrescaled` on
/// the rescaled one.
public struct DetXCondition: Sendable, Equatable {
    /// Eigenvalues in the tail (`detX_num`).
    public let count: Int
    /// The eigenvalue where the tail starts, original scale (`detX_val`).
    public let value: Double
    /// The same eigenvalue on the unit-mean scale (`detX_val_unrescaled`, the reference's name).
    public let rescaledValue: Double

    /// The condition on `ascending` eigenvalues; nil when there are fewer than two or all are
    /// equal (the reference asserts the smallest is below the largest).
    public static func of(ascending ev: [Double]) -> DetXCondition? {
        let n = ev.count
        guard n >= 2, let first = ev.first, let last = ev.last, first < last else { return nil }
        let total = ev.reduce(0, +)
        guard total > 0, total.isFinite else { return nil }
        let scale = Double(n).squareRoot() / total.squareRoot()
        let s2 = scale * scale
        // Sum of logs, not the product: a large layer's tail product overflows a double, and
        // the sign of the log sum is what "product < 1" asks.
        var logSum = 0.0
        var start = 1
        var count = n
        for i in stride(from: n - 1, to: 0, by: -1) {
            logSum += log(s2 * ev[i])
            if logSum < 0 { start = i; count = n - i; break }
        }
        let rescaled = s2 * ev[start]
        return DetXCondition(count: count, value: rescaled / s2, rescaledValue: rescaled)
    }
}
