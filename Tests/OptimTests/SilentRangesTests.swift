import XCTest
import GrokCore
import Optim

/// AdamW with `silentRanges` (parameters whose gradient is zero) against the same AdamW without
/// them, bit for bit: skipping their square roots and divisions must change no parameter and no
/// moment, including -0, NaN parameters, weight decay on and off, decay segments and threads; and
/// wherever the premise fails (a gradient that is not zero, moments restored non-zero or -0,
/// eps 0) it must fall back to the full update.
final class SilentRangesTests: XCTestCase {
    static let count = 20_000
    static let silent = [100..<1_100, 4_000..<4_050, 9_000..<15_000]

    /// Parameters with ±0, NaN, tiny and large values, the silent ones included.
    static func parameters<T: BinaryFloatingPoint>(_: T.Type) -> [T] {
        (0..<count).map { i in
            switch i % 97 {
            case 0: return 0
            case 1: return -0.0
            case 2: return .nan
            case 3: return T.leastNonzeroMagnitude
            default: return T(sin(Double(i) * 0.37) * 3)
            }
        }
    }

    /// Step k's gradient: zero (sometimes -0) in the silent ranges unless `leakAt` == k.
    static func gradient<T: BinaryFloatingPoint>(_: T.Type, step k: Int, leakAt: Int? = nil) -> [T] {
        (0..<count).map { i in
            let quiet = silent.contains { $0.contains(i) }
            if quiet { return k == leakAt && i == 4_010 ? T(0.25) : (i % 2 == 0 ? 0 : -0.0) }
            return T(cos(Double(i * 7 + k * 13) * 0.11) * 0.01)
        }
    }

    func run<T: BLASScalar>(_: T.Type, silent: [Range<Int>], wd: Double, eps: Double = 1e-8, threads: Int = 1,
                            decayRanges: [Range<Int>]? = nil, leakAt: Int? = nil,
                            restore: [String: [T]]? = nil, steps: Int = 6) throws -> (p: [T], m: [T], v: [T]) {
        let opt = AdamW<T>(count: Self.count, lr: 1e-3, weightDecay: wd, eps: eps)
        opt.threads = threads
        opt.decayRanges = decayRanges
        if let restore { try opt.restore(stepCount: 5, buffers: restore) }
        opt.silentRanges = silent
        var p = Self.parameters(T.self)
        for k in 1...steps {
            let g = Self.gradient(T.self, step: k, leakAt: leakAt)
            p.withUnsafeMutableBufferPointer { pb in g.withUnsafeBufferPointer { opt.step(parameters: pb, gradients: $0) } }
        }
        let state = Dictionary(uniqueKeysWithValues: opt.stateBuffers().map { ($0.name, $0.values) })
        return (p, state["exp_avg"]!, state["exp_avg_sq"]!)
    }

    func assertSameBits<T: BLASScalar>(_ a: (p: [T], m: [T], v: [T]), _ b: (p: [T], m: [T], v: [T]), _ what: String,
                                       file: StaticString = #filePath, line: UInt = #line) {
        for (name, x, y) in [("p", a.p, b.p), ("m", a.m, b.m), ("v", a.v, b.v)] {
            let differing = zip(x, y).filter { !Self.sameBits($0.0, $0.1) }.count
            XCTAssertEqual(differing, 0, "\(what): \(differing) values of \(name) differ", file: file, line: line)
        }
    }

    /// Equal with the same sign (so -0 and +0 differ), or both NaN.
    static func sameBits<T: BinaryFloatingPoint>(_ x: T, _ y: T) -> Bool {
        (x.isNaN && y.isNaN) || (x == y && x.sign == y.sign)
    }

    func checkSameBits<T: BLASScalar>(_: T.Type) throws {
        for wd in [0, 0.01] {
            for threads in [1, 2] {
                for decay in [nil, [0..<3_000, 4_020..<12_000]] as [[Range<Int>]?] {
                    let what = "\(T.self) wd \(wd) threads \(threads) decay ranges \(decay.map { "\($0)" } ?? "all")"
                    let full = try run(T.self, silent: [], wd: wd, threads: threads, decayRanges: decay)
                    let skipped = try run(T.self, silent: Self.silent, wd: wd, threads: threads, decayRanges: decay)
                    assertSameBits(full, skipped, what)
                    // The run really moved the other parameters and decayed the silent ones.
                    let start = Self.parameters(T.self)
                    XCTAssertNotEqual(full.p[2_000], start[2_000])
                    XCTAssertEqual(full.p[500] == start[500], wd == 0 || !(decay?.contains { $0.contains(500) } ?? true),
                                   "\(what): a silent parameter moves only by its decay")
                }
            }
        }
    }

    func testSilentRangesGiveTheFullUpdatesBitsF64() throws { try checkSameBits(Double.self) }
    func testSilentRangesGiveTheFullUpdatesBitsF32() throws { try checkSameBits(Float.self) }

    /// Ranges given out of order and overlapping are kept sorted and merged, with the same bits.
    func testRangesOutOfOrderAndOverlappingAreMerged() throws {
        let opt = AdamW<Double>(count: Self.count, lr: 1e-3, weightDecay: 0)
        opt.silentRanges = [9_000..<12_000, 100..<600, 4_000..<4_050, 500..<1_100, 11_000..<15_000, 7..<7]
        XCTAssertEqual(opt.silentRanges, Self.silent)
        assertSameBits(try run(Double.self, silent: [], wd: 0.01),
                       try run(Double.self, silent: [4_000..<4_050, 9_000..<15_000, 100..<1_100, 9_500..<9_600], wd: 0.01),
                       "unsorted, overlapping")
    }

    /// A gradient that is not zero in a silent range (step 3) is caught before the update: the
    /// run stays on the full update's bits, and the leaked gradient really moved that parameter.
    func testANonZeroGradientFallsBackToTheFullUpdate() throws {
        let full = try run(Double.self, silent: [], wd: 0, leakAt: 3)
        let skipped = try run(Double.self, silent: Self.silent, wd: 0, leakAt: 3)
        assertSameBits(full, skipped, "gradient leak at step 3")
        XCTAssertNotEqual(skipped.m[4_010], 0)
    }

    /// Moments restored non-zero, or -0 (which the full update turns into +0), and eps = 0
    /// (where 0/0 makes the parameter NaN) are not skipped.
    func testMomentsThatAreNotPlusZeroAndZeroEpsAreNotSkipped() throws {
        var m = [Double](repeating: 0, count: Self.count), v = m
        m[600] = 1e-3; v[600] = 1e-6
        let nonZero = ["exp_avg": m, "exp_avg_sq": v]
        assertSameBits(try run(Double.self, silent: [], wd: 0, restore: nonZero),
                       try run(Double.self, silent: Self.silent, wd: 0, restore: nonZero), "restored non-zero moments")
        m[600] = -0.0; v[600] = 0
        let minusZero = ["exp_avg": m, "exp_avg_sq": v]
        let full = try run(Double.self, silent: [], wd: 0, restore: minusZero)
        assertSameBits(full, try run(Double.self, silent: Self.silent, wd: 0, restore: minusZero), "restored -0 moment")
        XCTAssertEqual(full.m[600].sign, .plus, "the full update makes the -0 moment +0")
        let noEps = try run(Double.self, silent: [], wd: 0, eps: 0, steps: 1)
        assertSameBits(noEps, try run(Double.self, silent: Self.silent, wd: 0, eps: 0, steps: 1), "eps 0")
        XCTAssertTrue(noEps.p[500].isNaN, "0/0 with eps 0")
    }
}
