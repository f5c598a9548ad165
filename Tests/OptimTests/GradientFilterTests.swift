import XCTest
import GrokCore
import Optim

/// Filters `sequence` (one gradient per step) and returns each filtered gradient.
private func filtered<T: BLASScalar>(_ f: GradientFilter<T>, _ sequence: [[Double]]) -> [[T]] {
    sequence.map { g in
        var buffer = g.map { T($0) }
        buffer.withUnsafeMutableBufferPointer { f.apply(to: $0) }
        return buffer
    }
}

final class GradientFilterTests: XCTestCase {
    /// alpha 0.8, lambda 0.1 (the authors' MNIST settings), by hand:
    ///   step 1: ema starts at g1 = [1, -2], ema = 0.8 g1 + 0.2 g1 = [1, -2]; g = g1 + 0.1 ema = [1.1, -2.2]
    ///   step 2: ema = 0.8 [1, -2] + 0.2 [3, 0.5] = [1.4, -1.5];          g = [3.14, 0.35]
    ///   step 3: ema = 0.8 [1.4, -1.5] + 0.2 [0, 4] = [1.12, -0.4];       g = [0.112, 3.96]
    func testEMAMatchesTheHandComputedFilter() {
        let f = GradientFilter<Double>(rule: .ema(alpha: 0.8, lambda: 0.1), count: 2)
        let out = filtered(f, [[1, -2], [3, 0.5], [0, 4]])
        let expected: [[Double]] = [[1.1, -2.2], [3.14, 0.35], [0.112, 3.96]]
        for (o, e) in zip(out, expected) {
            for (x, y) in zip(o, e) { XCTAssertEqual(x, y, accuracy: 1e-14) }
        }
        XCTAssertEqual(f.filteredSteps, 3)
        XCTAssertEqual(f.stateBuffers().map(\.name), ["ema"])
        XCTAssertEqual(f.stateBuffers()[0].values[0], 1.12, accuracy: 1e-14)
        XCTAssertEqual(f.stateBuffers()[0].values[1], -0.4, accuracy: 1e-14)
    }

    /// Window 2, lambda 5, by hand: step 1 has no full window (g unchanged); then
    /// mean(2, 4) = 3 -> 4 + 15 = 19; mean(4, 10) = 7 -> 10 + 35 = 45; mean(10, -6) = 2 -> -6 + 10 = 4.
    func testMovingAverageMatchesTheHandComputedFilter() {
        let f = GradientFilter<Double>(rule: .movingAverage(window: 2, lambda: 5), count: 1)
        XCTAssertEqual(filtered(f, [[2], [4], [10], [-6]]).map { $0[0] }, [2, 19, 45, 4])
    }

    /// The EMA and the moving average in float32: the same hand values within float rounding.
    func testFloatFiltersAgreeWithTheHandValues() {
        let e = GradientFilter<Float>(rule: .ema(alpha: 0.8, lambda: 0.1), count: 2)
        let out = filtered(e, [[1, -2], [3, 0.5], [0, 4]])
        XCTAssertEqual(out[2][0], 0.112, accuracy: 1e-6)
        XCTAssertEqual(out[2][1], 3.96, accuracy: 1e-6)
        let m = GradientFilter<Float>(rule: .movingAverage(window: 2, lambda: 5), count: 1)
        XCTAssertEqual(filtered(m, [[2], [4], [10], [-6]]).map { $0[0] }, [2, 19, 45, 4])
    }

    /// Over many wraps of the ring the running sum is the exact mean of the last `window` gradients.
    func testMovingAverageIsTheMeanOfTheLastWindowOverManySteps() {
        var rng = SeededRandom(seed: 3, stream: "test")
        let sequence = (0..<50).map { _ in (0..<3).map { _ in rng.nextUnit() * 2 - 1 } }
        let f = GradientFilter<Double>(rule: .movingAverage(window: 4, lambda: 0.5), count: 3)
        let out = filtered(f, sequence)
        for s in 0..<sequence.count {
            for i in 0..<3 {
                guard s >= 3 else { XCTAssertEqual(out[s][i], sequence[s][i]); continue }
                let mean = (s - 3...s).map { sequence[$0][i] }.reduce(0, +) / 4
                XCTAssertEqual(out[s][i], sequence[s][i] + 0.5 * mean, accuracy: 1e-13, "step \(s + 1)")
            }
        }
    }

    /// Saved after some steps and restored into a fresh filter, the continuation is bit-identical;
    /// any thread count gives the same bits.
    func testRestoredStateContinuesBitIdentically() throws {
        var rng = SeededRandom(seed: 5, stream: "test")
        let count = 20_000   // enough for the threaded loop to split
        let sequence = (0..<9).map { _ in (0..<count).map { _ in rng.nextUnit() - 0.5 } }
        for rule in [GradientFilter<Double>.Rule.ema(alpha: 0.98, lambda: 2), .movingAverage(window: 3, lambda: 5)] {
            let whole = GradientFilter<Double>(rule: rule, count: count)
            whole.threads = 2
            let reference = filtered(whole, sequence)
            let first = GradientFilter<Double>(rule: rule, count: count)
            _ = filtered(first, Array(sequence[..<5]))
            let second = GradientFilter<Double>(rule: rule, count: count)
            try second.restore(filteredSteps: first.filteredSteps,
                               buffers: Dictionary(uniqueKeysWithValues: first.stateBuffers().map { ($0.name, $0.values) }))
            XCTAssertEqual(filtered(second, Array(sequence[5...])), Array(reference[5...]), "\(rule)")
        }
    }

    func testRestoreNamesAMissingOrWrongSizeBuffer() {
        let f = GradientFilter<Double>(rule: .movingAverage(window: 2, lambda: 5), count: 3)
        XCTAssertThrowsError(try f.restore(filteredSteps: 4, buffers: ["sum": [0, 0, 0], "slot.0": [0, 0, 0]])) {
            XCTAssertEqual(($0 as? GrokError)?.message, "Grokfast state: missing buffer \"slot.1\"")
        }
        XCTAssertThrowsError(try f.restore(filteredSteps: 4, buffers: ["sum": [0, 0]])) {
            XCTAssertEqual(($0 as? GrokError)?.message, "Grokfast state: buffer \"sum\" has 2 values, expected 3")
        }
    }
}
