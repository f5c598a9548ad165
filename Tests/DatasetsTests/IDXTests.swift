import Datasets
import Foundation
import XCTest

final class IDXTests: XCTestCase {
    /// The header bytes are written out by hand here (the IDX spec), not by IDX.encode*.
    func testEncodedHeadersMatchTheSpec() {
        let images = IDX.encodeImages(pixels: [1, 2, 3, 4, 5, 6], count: 1, rows: 2, cols: 3)
        XCTAssertEqual(Array(images), [0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6])
        let labels = IDX.encodeLabels([7, 0, 9])
        XCTAssertEqual(Array(labels), [0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9])
    }

    func testRoundTripRawAndGzip() throws {
        let dir = try makeTempDir(self)
        let (pixels, labels) = syntheticImages(count: 37, rows: 5, cols: 4)
        let imageBytes = IDX.encodeImages(pixels: pixels, count: 37, rows: 5, cols: 4)
        let labelBytes = IDX.encodeLabels(labels)
        // Gzip is recognized by content: a gzip file without .gz and a raw file named .gz both read.
        let cases: [(String, Data, String, Data)] = [
            ("img-raw", imageBytes, "lab-raw", labelBytes),
            ("img.gz", try Gzip.compress(imageBytes), "lab.gz", try Gzip.compress(labelBytes)),
            ("img-gz-no-suffix", try Gzip.compress(imageBytes), "lab-raw-named.gz", labelBytes),
        ]
        for (imageName, imageData, labelName, labelData) in cases {
            let iu = dir.appendingPathComponent(imageName), lu = dir.appendingPathComponent(labelName)
            try imageData.write(to: iu)
            try labelData.write(to: lu)
            let read = try IDX.readImages(iu)
            XCTAssertEqual(read.count, 37)
            XCTAssertEqual(read.rows, 5)
            XCTAssertEqual(read.cols, 4)
            XCTAssertEqual(read.pixels, pixels)
            XCTAssertEqual(try IDX.readLabels(lu), labels)
        }
    }

    func testMissingFile() throws {
        let dir = try makeTempDir(self)
        let url = dir.appendingPathComponent("nope-idx3-ubyte")
        assertGrokError(try IDX.readImages(url), contains: [url.path, "no such file"])
    }

    func testWrongMagic() throws {
        let dir = try makeTempDir(self)
        let labels = dir.appendingPathComponent("labels")
        try IDX.encodeLabels([1, 2, 3]).write(to: labels)
        assertGrokError(try IDX.readImages(labels), contains: [labels.path, "magic 0x00000801", "expected 0x00000803"])
        let images = dir.appendingPathComponent("images.gz")
        try Gzip.compress(IDX.encodeImages(pixels: [0, 0, 0, 0], count: 1, rows: 2, cols: 2)).write(to: images)
        assertGrokError(try IDX.readLabels(images), contains: [images.path, "magic 0x00000803", "expected 0x00000801"])
        // Float IDX (type code 0x0D) is not MNIST's unsigned bytes.
        let floats = dir.appendingPathComponent("floats")
        try Data([0, 0, 0x0D, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]).write(to: floats)
        assertGrokError(try IDX.readImages(floats), contains: [floats.path, "magic 0x00000d03"])
    }

    func testTruncatedPayloadAndHeader() throws {
        let dir = try makeTempDir(self)
        let full = IDX.encodeImages(pixels: [UInt8](repeating: 9, count: 3 * 2 * 2), count: 3, rows: 2, cols: 2)
        let short = dir.appendingPathComponent("short-idx3-ubyte")
        try full.dropLast(1).write(to: short)
        assertGrokError(try IDX.readImages(short), contains: [short.path, "truncated", "3 x 2 x 2 = 12 bytes", "payload has 11"])
        let shortGz = dir.appendingPathComponent("short.gz")
        try Gzip.compress(full.dropLast(5)).write(to: shortGz)
        assertGrokError(try IDX.readImages(shortGz), contains: [shortGz.path, "truncated", "payload has 7"])
        let long = dir.appendingPathComponent("long")
        try (full + Data([1])).write(to: long)
        assertGrokError(try IDX.readImages(long), contains: [long.path, "trailing bytes"])
        let header = dir.appendingPathComponent("header")
        try full.prefix(10).write(to: header)
        assertGrokError(try IDX.readImages(header), contains: [header.path, "truncated IDX header"])
        let labels = dir.appendingPathComponent("labels")
        try IDX.encodeLabels([1, 2, 3, 4]).dropLast(2).write(to: labels)
        assertGrokError(try IDX.readLabels(labels), contains: [labels.path, "truncated", "payload has 2"])
    }

    /// Dimensions whose product overflows Int must be an error, not a trap.
    func testHugeDimensions() throws {
        let dir = try makeTempDir(self)
        let url = dir.appendingPathComponent("huge")
        try Data([0, 0, 8, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2]).write(to: url)
        XCTAssertThrowsError(try IDX.readImages(url))
    }

    func testCorruptGzipIDX() throws {
        let dir = try makeTempDir(self)
        var gz = try Gzip.compress(IDX.encodeLabels([UInt8](repeating: 3, count: 100)))
        gz[gz.count - 7] ^= 0xFF
        let url = dir.appendingPathComponent("t10k-labels-idx1-ubyte.gz")
        try gz.write(to: url)
        assertGrokError(try IDX.readLabels(url), contains: [url.path, "corrupt gzip"])
        let cut = dir.appendingPathComponent("cut.gz")
        try gz.prefix(15).write(to: cut)
        assertGrokError(try IDX.readLabels(cut), contains: [cut.path, "truncated gzip"])
    }
}
