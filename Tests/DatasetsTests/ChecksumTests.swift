import XCTest
import Datasets

/// The data checksum config.json records (so a resume on changed data is refused): any changed byte changes it.
final class ChecksumTests: XCTestCase {
    func split(pixels: [UInt8], labels: [UInt8], testPixels: [UInt8] = [0, 0, 0, 0], testLabels: [UInt8] = [1]) throws -> DataSplit {
        DataSplit(train: try ImageSet(pixels: pixels, labels: labels, rows: 2, cols: 2),
                  test: try ImageSet(pixels: testPixels, labels: testLabels, rows: 2, cols: 2),
                  source: .embedded, sourceDescription: "", sourcePath: "")
    }

    func testKnownValueAndSensitivity() throws {
        let a = try split(pixels: [1, 2, 3, 4, 5, 6, 7, 8], labels: [0, 9])
        // zlib's CRC-32 of the bytes 01..08 00 09 00 00 00 00 01 (python: hex(zlib.crc32(bytes(...)))).
        XCTAssertEqual(a.checksum, "crc32:" + Self.referenceCRC32([1, 2, 3, 4, 5, 6, 7, 8, 0, 9, 0, 0, 0, 0, 1]))
        XCTAssertEqual(a.checksum, try split(pixels: [1, 2, 3, 4, 5, 6, 7, 8], labels: [0, 9]).checksum)
        XCTAssertNotEqual(a.checksum, try split(pixels: [1, 2, 3, 4, 5, 6, 7, 9], labels: [0, 9]).checksum)
        XCTAssertNotEqual(a.checksum, try split(pixels: [1, 2, 3, 4, 5, 6, 7, 8], labels: [1, 9]).checksum)
        XCTAssertNotEqual(a.checksum, try split(pixels: [1, 2, 3, 4, 5, 6, 7, 8], labels: [0, 9], testLabels: [2]).checksum)
    }

    /// A bitwise CRC-32 (polynomial 0xEDB88320), independent of zlib's table-driven one.
    static func referenceCRC32(_ bytes: [UInt8]) -> String {
        var crc: UInt32 = 0xffff_ffff
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        let hex = String(crc ^ 0xffff_ffff, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
