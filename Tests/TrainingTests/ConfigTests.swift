import XCTest
import Training

final class ConfigTests: XCTestCase {
    func testPresetsMatchTheRecipes() {
        let p = TrainingConfig.paper
        XCTAssertEqual(p.lr, 5e-4); XCTAssertEqual(p.wd, 0); XCTAssertEqual(p.initScale, 8)
        XCTAssertEqual(p.batchOrder, .cycle); XCTAssertEqual(p.subset, .balanced)
        XCTAssertEqual(p.steps, 10_000_000); XCTAssertEqual(p.dtype, .f64); XCTAssertEqual(p.loss, .mse)
        XCTAssertEqual(p.widths, [784, 200, 200, 10]); XCTAssertEqual(p.batchSize, 200); XCTAssertEqual(p.trainSize, 1000)
        let o = TrainingConfig.omnigrok
        XCTAssertEqual(o.lr, 1e-3); XCTAssertEqual(o.wd, 0.01); XCTAssertEqual(o.batchOrder, .reshuffle)
        XCTAssertEqual(o.subset, .first); XCTAssertEqual(o.steps, 100_000)
    }

    func testEachBadValueIsRejectedWithAMessageNamingTheFlag() {
        func expect(_ flag: String, _ change: (inout TrainingConfig) -> Void) {
            var c = TrainingConfig.paper
            change(&c)
            XCTAssertThrowsError(try c.validate(), flag) { error in
                XCTAssertTrue("\(error)".contains(flag), "\(error) should name \(flag)")
                XCTAssertFalse("\(error)".contains("\n"))
            }
        }
        expect("--steps") { $0.steps = 0 }
        expect("--steps") { $0.steps = -3 }
        expect("--lr") { $0.lr = 0 }
        expect("--lr") { $0.lr = -1e-3 }
        expect("--lr") { $0.lr = .nan }
        expect("--wd") { $0.wd = -0.1 }
        expect("--momentum") { $0.momentum = 1.5 }
        expect("--init-scale") { $0.initScale = 0 }
        expect("--batch-size") { $0.batchSize = 0 }
        expect("--batch-size") { $0.batchSize = 5000 }
        expect("--train-size") { $0.trainSize = 0 }
        expect("--train-size") { $0.trainSize = 995 }
        expect("--snapshots") { $0.snapshots = 0 }
        expect("--threads") { $0.threads = 0 }
        expect("--widths") { $0.widths = [784] }
        expect("--widths") { $0.widths = [784, 0, 10] }
    }

    func testWidthsMustFitTheData() {
        var c = TrainingConfig.paper
        XCTAssertNoThrow(try c.validate(features: 784, classes: 10))
        c.widths = [100, 200, 10]
        XCTAssertThrowsError(try c.validate(features: 784, classes: 10)) { XCTAssertTrue("\($0)".contains("784")) }
        c.widths = [784, 200, 7]
        XCTAssertThrowsError(try c.validate(features: 784, classes: 10)) { XCTAssertTrue("\($0)".contains("10 classes")) }
    }
}
