import Datasets
import Foundation
import TestSupport
import XCTest

/// The real Fashion-MNIST files from Debian's dataset-fashion-mnist. Reference values were
/// read from the files with Python. Missing data fails under CI and is skipped elsewhere.
final class FashionMNISTTests: XCTestCase {
    func requireFashion() throws {
        guard FileManager.default.fileExists(atPath: DataSource.fashionPath + "/train-images-idx3-ubyte.gz") else {
            try Tool.missing("\(DataSource.fashionPath) missing (.ci/install-deps installs dataset-fashion-mnist)")
        }
    }

    func testFashionFiles() throws {
        try requireFashion()
        let dir = URL(fileURLWithPath: DataSource.fashionPath)
        for (prefix, count) in [("train", 60_000), ("t10k", 10_000)] {
            let img = try IDX.readImages(dir.appendingPathComponent("\(prefix)-images-idx3-ubyte.gz"))
            let lab = try IDX.readLabels(dir.appendingPathComponent("\(prefix)-labels-idx1-ubyte.gz"))
            XCTAssertEqual(img.count, count)
            XCTAssertEqual(img.rows, 28)
            XCTAssertEqual(img.cols, 28)
            XCTAssertEqual(img.pixels.count, count * 784)
            XCTAssertEqual(lab.count, count)
            var perClass = [Int](repeating: 0, count: 256)
            for l in lab { perClass[Int(l)] += 1 }
            XCTAssertEqual(Array(perClass[0..<10]), [Int](repeating: count / 10, count: 10))
            XCTAssertEqual(perClass[10...].reduce(0, +), 0)
            XCTAssertEqual(lab[0], 9)
            XCTAssertEqual(img.pixels[0..<784].reduce(0) { $0 + Int($1) }, prefix == "train" ? 76247 : 33456)
        }
    }

    func testFashionSplit() throws {
        try requireFashion()
        let split = try MNIST.load(.fashion, trainSize: 1000, subset: .balanced, seed: 0)
        XCTAssertEqual(split.train.count, 1000)
        XCTAssertEqual(split.test.count, 10_000)
        for c in 0..<10 { XCTAssertEqual(split.train.labels.filter { $0 == c }.count, 100) }
        XCTAssertEqual(split.sourcePath, DataSource.fashionPath)
        XCTAssertTrue(split.sourceDescription.contains("of 60000, test 10000"), split.sourceDescription)
    }
}
