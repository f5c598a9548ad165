import Datasets
import Foundation
import XCTest

final class GzipTests: XCTestCase {
    /// Bytes that compress but not trivially.
    let payload = Data((0..<50_000).map { UInt8(truncatingIfNeeded: ($0 * 31) ^ ($0 >> 7)) })

    func testRoundTrip() throws {
        let gz = try Gzip.compress(payload)
        XCTAssertEqual(Array(gz.prefix(3)), [0x1F, 0x8B, 0x08], "gzip magic and deflate method")
        XCTAssertLessThan(gz.count, payload.count)
        XCTAssertEqual(try Gzip.decompress(gz, source: "x"), payload)
        XCTAssertEqual(try Gzip.decompress(try Gzip.compress(Data()), source: "x"), Data())
    }

    /// The system gzip tool is an independent encoder: what it writes, Gzip must read.
    func testReadsOutputOfSystemGzip() throws {
        let dir = try makeTempDir(self)
        let raw = dir.appendingPathComponent("p.bin")
        try payload.write(to: raw)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "gzip -9 -k '\(raw.path)'"]
        try gzip.run()
        gzip.waitUntilExit()
        guard gzip.terminationStatus == 0 else { throw XCTSkip("no gzip tool") }
        let gz = try Data(contentsOf: dir.appendingPathComponent("p.bin.gz"))
        XCTAssertEqual(try Gzip.decompress(gz, source: "p.bin.gz"), payload)
    }

    func testConcatenatedMembersAreOneStream() throws {
        let a = Data("hello ".utf8), b = Data("world".utf8)
        let both = try Gzip.compress(a) + Gzip.compress(b)
        XCTAssertEqual(try Gzip.decompress(both, source: "x"), a + b)
    }

    func testTruncatedGzip() throws {
        let gz = try Gzip.compress(payload)
        for cut in [gz.count - 1, gz.count - 8, gz.count / 2, 12] {
            assertGrokError(try Gzip.decompress(gz.prefix(cut), source: "/tmp/cut.gz"),
                            contains: ["/tmp/cut.gz", "truncated gzip"])
        }
    }

    func testBadCRC() throws {
        var gz = try Gzip.compress(payload)
        gz[gz.count - 6] ^= 0x01  // inside the CRC-32 trailer
        assertGrokError(try Gzip.decompress(gz, source: "/tmp/crc.gz"), contains: ["/tmp/crc.gz", "corrupt gzip", "data check"])
    }

    func testBadDeflateData() throws {
        var gz = try Gzip.compress(payload)
        gz[10] = 0x07  // first block header: BFINAL=1, BTYPE=11 (reserved)
        assertGrokError(try Gzip.decompress(gz, source: "/tmp/bad.gz"), contains: ["/tmp/bad.gz", "corrupt gzip", "block type"])
    }

    func testTrailingGarbage() throws {
        let gz = try Gzip.compress(payload) + Data([1, 2, 3])
        assertGrokError(try Gzip.decompress(gz, source: "/tmp/tail.gz"), contains: ["/tmp/tail.gz", "3 unexpected bytes"])
    }

    func testNotGzip() {
        assertGrokError(try Gzip.decompress(payload, source: "/tmp/raw"), contains: ["/tmp/raw", "not gzip"])
    }
}
