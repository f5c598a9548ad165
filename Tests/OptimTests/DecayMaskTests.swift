import XCTest
import Optim

/// AdamW's weight decay restricted to index ranges (arXiv 2606.13753 decays E, W1, W2, not biases).
final class DecayMaskTests: XCTestCase {
    func testDecayActsOnlyInsideItsRanges() {
        let n = 10
        let masked = AdamW<Double>(count: n, lr: 0.1, weightDecay: 0.5)
        masked.decayRanges = [1..<3, 6..<8]
        let full = AdamW<Double>(count: n, lr: 0.1, weightDecay: 0.5)
        let none = AdamW<Double>(count: n, lr: 0.1, weightDecay: 0)
        var p = (0..<n).map { Double($0) + 1 }, q = p, r = p
        let g = (0..<n).map { 0.1 * Double($0) - 0.3 }
        for _ in 0..<3 {
            p.withUnsafeMutableBufferPointer { masked.step(parameters: $0, gradients: UnsafeBufferPointer(start: g, count: n)) }
            q.withUnsafeMutableBufferPointer { full.step(parameters: $0, gradients: UnsafeBufferPointer(start: g, count: n)) }
            r.withUnsafeMutableBufferPointer { none.step(parameters: $0, gradients: UnsafeBufferPointer(start: g, count: n)) }
        }
        for i in 0..<n {
            let decayed = (1..<3).contains(i) || (6..<8).contains(i)
            XCTAssertEqual(p[i], decayed ? q[i] : r[i], "index \(i)")   // bit for bit: the same element-wise update
        }
        XCTAssertNotEqual(q[0], r[0], "decay does change an unmasked optimizer's values")
    }
}
