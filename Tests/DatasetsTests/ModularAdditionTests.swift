import XCTest
import GrokCore
import Datasets

final class ModularAdditionTests: XCTestCase {
    func testCountsSplitAndLabels() throws {
        let d = try ModularAddition(modulus: 59, trainFraction: 0.4, seed: 0)
        XCTAssertEqual(d.train.count, 1392)          // round(0.4 * 3481) = round(1392.4)
        XCTAssertEqual(d.test.count, 3481 - 1392)
        XCTAssertEqual(d.train.tokens.count, 2 * 1392)
        func pairs(_ e: ModularAddition.Examples) -> [Int] { (0..<e.count).map { Int(e.tokens[2 * $0]) * 59 + Int(e.tokens[2 * $0 + 1]) } }
        let train = Set(pairs(d.train)), test = Set(pairs(d.test))
        XCTAssertEqual(train.count, d.train.count)    // no pair twice
        XCTAssertTrue(train.isDisjoint(with: test))
        XCTAssertEqual(train.union(test), Set(0..<3481))
        for e in [d.train, d.test] {
            for i in 0..<e.count {
                let a = Int(e.tokens[2 * i]), b = Int(e.tokens[2 * i + 1])
                XCTAssertTrue((0..<59).contains(a) && (0..<59).contains(b))
                XCTAssertEqual(Int(e.labels[i]), (a + b) % 59)
            }
        }
        // Every residue appears in the training labels at this fraction (a sanity check on the shuffle).
        XCTAssertEqual(Set(d.train.labels).count, 59)
    }

    func testSplitIsDeterministicPerSeed() throws {
        let a = try ModularAddition(modulus: 23, trainFraction: 0.5, seed: 7)
        let b = try ModularAddition(modulus: 23, trainFraction: 0.5, seed: 7)
        let c = try ModularAddition(modulus: 23, trainFraction: 0.5, seed: 8)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.checksum, b.checksum)
        XCTAssertNotEqual(a.train.tokens, c.train.tokens)
        XCTAssertNotEqual(a.checksum, c.checksum)
        XCTAssertEqual(a.train.count, 265)            // round(0.5 * 529): .rounded() takes 264.5 away from zero
    }

    func testBadValuesAreOneLineErrors() {
        for (p, f) in [(1, 0.4), (2, 0.4), (57, 0.4), (0, 0.4), (59, 0.0), (59, 1.0), (59, -0.1), (59, .nan)] {
            XCTAssertThrowsError(try ModularAddition(modulus: p, trainFraction: f, seed: 0), "P \(p) F \(f)") { e in
                let text = "\(e)"
                XCTAssertFalse(text.contains("\n"))
                XCTAssertTrue(text.contains(p < 3 || p == 57 ? "--modulus" : "--train-fraction"), text)
            }
        }
        XCTAssertTrue(ModularAddition.isPrime(3) && ModularAddition.isPrime(59) && ModularAddition.isPrime(97))
        XCTAssertFalse(ModularAddition.isPrime(1) || ModularAddition.isPrime(57) || ModularAddition.isPrime(91))
    }
}
