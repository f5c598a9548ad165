import XCTest
import TestSupport
import Foundation
import Tensors

/// grok-analyze on a file that holds no tensors: an error line and exit 1, not silence.
final class EdgeCaseToolTests: XCTestCase {
    func testFileWithNoTensorsIsAnError() throws {
        let dir = try temporaryDirectory(self, "empty")
        let empty = dir.appendingPathComponent("empty.safetensors")
        try SafeTensors.write([], to: empty)
        let r = try Tool.analyze([empty.path, "--format", "csv"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertEqual(r.errorLines, ["error: \(empty.path): holds no tensors"])
    }
}
