import XCTest
import GrokCore
import Model

/// The hidden layers' ReLU epilogue (`ActiveUnits.recordReLU`) against its definition written
/// out here one unit at a time: out[k] = Swift.max(out[k] + bias[k], 0), stored in place, and
/// the row's list holds exactly the units whose result has any bit set, in order. The values
/// include what a register-at-a-time version could get wrong: -0 (must become +0 and stay
/// off), NaN (kept, and listed), subnormals, registers that are all zero and registers with
/// one active unit at either end, and widths that leave units after the last whole register.
final class ReLUEpilogueTests: XCTestCase {
    func bits<T>(_ x: T) -> [UInt8] { withUnsafeBytes(of: x) { Array($0) } }

    func check<T: BLASScalar>(_: T.Type, columns: Int, withBias: Bool) {
        var rng = SeededRandom(seed: 11, stream: "relu epilogue \(columns)")
        let specials: [T] = [0, -0.0, .nan, -.nan, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                             .infinity, -.infinity, 1, -1]
        let rows = 6
        var out = [T](repeating: 0, count: rows * columns)
        for r in 0..<rows {
            for k in 0..<columns {
                // Row 0 all -0 (every register skipped); row 1 mostly off with a few specials;
                // the rest random with ~6% active, as late in a long run.
                switch r {
                case 0: out[r * columns + k] = -0.0
                case 1: out[r * columns + k] = k % 7 == 0 ? specials[(k / 7) % specials.count] : -T(rng.nextUnit())
                default: out[r * columns + k] = rng.nextUnit() < 0.06 ? T(rng.nextUnit()) : -T(rng.nextUnit())
                }
            }
        }
        // Active units at the first and last column of rows 2 and 3.
        out[2 * columns] = 0.5; out[3 * columns + columns - 1] = 0.25
        let bias: [T] = (0..<columns).map { k in
            withBias ? (k % 5 == 0 ? -0.0 : T(rng.nextUnit() - 0.6)) : 0
        }
        var expected = out
        var expectedLists: [[(Int, T)]] = []
        for r in 0..<rows {
            var list: [(Int, T)] = []
            for k in 0..<columns {
                let x = Swift.max(withBias ? expected[r * columns + k] + bias[k] : expected[r * columns + k], 0)
                expected[r * columns + k] = x
                if bits(x).contains(where: { $0 != 0 }) { list.append((k, x)) }
            }
            expectedLists.append(list)
        }
        let units = ActiveUnits<T>(capacityRows: rows, columns: columns)
        out.withUnsafeMutableBufferPointer { o in
            bias.withUnsafeBufferPointer { b in
                for r in 0..<rows {
                    units.recordReLU(row: r, in: o.baseAddress! + r * columns, bias: withBias ? b.baseAddress! : nil)
                }
            }
        }
        let wrong = (0..<out.count).first { bits(out[$0]) != bits(expected[$0]) }
        XCTAssertNil(wrong, "\(T.self) \(columns) in place: first wrong unit \(wrong ?? -1)")
        let view = units.view
        for r in 0..<rows {
            let got = view.entries(r).map { (Int(view.index[$0]), view.values[$0]) }
            let same = got.count == expectedLists[r].count
                && zip(got, expectedLists[r]).allSatisfy { $0.0 == $1.0 && bits($0.1) == bits($1.1) }
            XCTAssertTrue(same, "\(T.self) \(columns) row \(r): \(got.count) units listed, \(expectedLists[r].count) expected")
        }
        XCTAssertTrue(view.entries(0).isEmpty || withBias, "an all -0 row without bias has no active unit")
        if columns >= 70 { XCTAssertTrue(expectedLists[1].contains { $0.1.isNaN }, "NaN is kept and listed") }
    }

    func testF64() {
        for columns in [200, 203, 3] { for withBias in [false, true] { check(Double.self, columns: columns, withBias: withBias) } }
    }

    func testF32() {
        for columns in [200, 203, 13] { for withBias in [false, true] { check(Float.self, columns: columns, withBias: withBias) } }
    }
}
