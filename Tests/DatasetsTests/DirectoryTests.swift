import Datasets
import Foundation
import XCTest

/// DataSource.directory on hand-made standard MNIST folders, and every way such a folder can be bad.
final class DirectoryTests: XCTestCase {
    func testLoadsGzipAndRawFolders() throws {
        for gzip in [true, false] {
            let dir = try makeTempDir(self)
            let (train, test) = try writeStandardDirectory(dir, trainCount: 60, testCount: 17, gzip: gzip)
            let first = try MNIST.load(.directory(dir.path), trainSize: 13, subset: .first, seed: 0)
            XCTAssertEqual(first.train, train.subset(Array(0..<13)), "first N of the file order")
            XCTAssertEqual(first.test, test, "test is the whole t10k file")
            XCTAssertEqual(first.sourcePath, dir.standardizedFileURL.path)
            XCTAssertTrue(first.sourceDescription.contains("train 13 first of 60, test 17"), first.sourceDescription)

            let balanced = try MNIST.load(.directory(dir.path), trainSize: 30, subset: .balanced, seed: 4)
            XCTAssertEqual(balanced.test, test)
            for c in 0..<10 { XCTAssertEqual(balanced.train.labels.filter { $0 == c }.count, 3) }
            // Every train image is one of the file's images (images are distinct by construction).
            let fileImages = Set((0..<train.count).map { train.fingerprint($0) })
            let drawn = Set((0..<balanced.train.count).map { balanced.train.fingerprint($0) })
            XCTAssertEqual(drawn.count, 30)
            XCTAssertTrue(drawn.isSubset(of: fileImages))
        }
    }

    func testMissingDirectoryAndFiles() throws {
        let dir = try makeTempDir(self)
        let absent = dir.appendingPathComponent("absent").path
        assertGrokError(try MNIST.load(.directory(absent), trainSize: 10, subset: .first, seed: 0), contains: [absent, "no such directory"])
        try writeStandardDirectory(dir, trainCount: 20, testCount: 10)
        for name in ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] {
            let url = dir.appendingPathComponent(name + ".gz")
            let saved = try Data(contentsOf: url)
            try FileManager.default.removeItem(at: url)
            assertGrokError(try MNIST.load(.directory(dir.path), trainSize: 10, subset: .first, seed: 0),
                            contains: [dir.path, "missing \(name) or \(name).gz", "expected the four standard MNIST files"])
            try saved.write(to: url)
        }
        XCTAssertNoThrow(try MNIST.load(.directory(dir.path), trainSize: 10, subset: .first, seed: 0))
    }

    func testLabelCountMismatch() throws {
        let dir = try makeTempDir(self)
        try writeStandardDirectory(dir, trainCount: 20, testCount: 10)
        let labels = dir.appendingPathComponent("t10k-labels-idx1-ubyte.gz")
        try Gzip.compress(IDX.encodeLabels([UInt8](repeating: 1, count: 9))).write(to: labels)
        assertGrokError(try MNIST.load(.directory(dir.path), trainSize: 10, subset: .first, seed: 0),
                        contains: [labels.path, "9 labels", "has 10 images"])
    }

    func testLabelAboveNine() throws {
        let dir = try makeTempDir(self)
        try writeStandardDirectory(dir, trainCount: 20, testCount: 10)
        var bad = [UInt8](repeating: 2, count: 20)
        bad[13] = 10
        let labels = dir.appendingPathComponent("train-labels-idx1-ubyte.gz")
        try Gzip.compress(IDX.encodeLabels(bad)).write(to: labels)
        assertGrokError(try MNIST.load(.directory(dir.path), trainSize: 10, subset: .first, seed: 0),
                        contains: [labels.path, "label 10 at index 13"])
    }

    func testBadFilesInsideAFolderNameTheFile() throws {
        let dir = try makeTempDir(self)
        try writeStandardDirectory(dir, trainCount: 20, testCount: 10)
        let images = dir.appendingPathComponent("train-images-idx3-ubyte.gz")
        let good = try Data(contentsOf: images)
        try good.prefix(good.count - 4).write(to: images)
        assertGrokError(try MNIST.load(.directory(dir.path), trainSize: 10, subset: .first, seed: 0), contains: [images.path, "truncated gzip"])
        try Gzip.compress(IDX.encodeLabels([1, 2])).write(to: images)
        assertGrokError(try MNIST.load(.directory(dir.path), trainSize: 10, subset: .first, seed: 0), contains: [images.path, "magic 0x00000801"])
        try Gzip.compress(IDX.encodeImages(pixels: [UInt8](repeating: 0, count: 20 * 9), count: 20, rows: 3, cols: 3)).write(to: images)
        assertGrokError(try MNIST.load(.directory(dir.path), trainSize: 10, subset: .first, seed: 0), contains: ["3 x 3", "4 x 3"])
    }

    func testTrainSizeLargerThanTheFile() throws {
        let dir = try makeTempDir(self)
        try writeStandardDirectory(dir, trainCount: 20, testCount: 10)
        assertGrokError(try MNIST.load(.directory(dir.path), trainSize: 21, subset: .first, seed: 0), contains: ["21", "larger than the 20 images", dir.path])
        assertGrokError(try MNIST.load(.directory(dir.path), trainSize: 30, subset: .balanced, seed: 0), contains: ["30", "larger than the 20 images"])
    }

    func testBalancedNeedsEnoughOfEveryClass() throws {
        let dir = try makeTempDir(self)
        try writeStandardDirectory(dir, trainCount: 20, testCount: 10)
        var labels = (0..<20).map { UInt8($0 % 10) }
        labels[17] = 0  // class 7 now has one image
        try Gzip.compress(IDX.encodeLabels(labels)).write(to: dir.appendingPathComponent("train-labels-idx1-ubyte.gz"))
        XCTAssertNoThrow(try MNIST.load(.directory(dir.path), trainSize: 10, subset: .balanced, seed: 0))
        assertGrokError(try MNIST.load(.directory(dir.path), trainSize: 20, subset: .balanced, seed: 0),
                        contains: ["train size 20", "2 images of class 7", "has 1", dir.path])
    }
}
