import Foundation
import GrokCore
import Tensors
import XCTest

/// Asserts that `body` throws a GrokError whose one-line message contains every fragment
/// (case-insensitive), so each bad-input test checks that the message names its problem.
func assertGrokError<T>(_ body: @autoclosure () throws -> T, _ fragments: String...,
                        file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected a GrokError mentioning \(fragments), got success", file: file, line: line)
    } catch let error as GrokError {
        XCTAssertFalse(error.message.contains("\n"), "error is not one line: \(error.message)", file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(error.message.lowercased().contains(fragment.lowercased()),
                          "error '\(error.message)' does not mention '\(fragment)'", file: file, line: line)
        }
    } catch {
        XCTFail("expected a GrokError, got \(error)", file: file, line: line)
    }
}

/// A safetensors file from a header text and a buffer, with the length prefix computed.
func safetensorsBytes(_ header: String, buffer: [UInt8] = []) -> Data {
    var data = Data()
    withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: Array(header.utf8))
    data.append(contentsOf: buffer)
    return data
}

/// An .npy file from a header dict text and a payload (version 1 or 2/3 length field).
func npyBytes(_ header: String, payload: [UInt8] = [], major: UInt8 = 1) -> Data {
    var data = Data([0x93] + Array("NUMPY".utf8) + [major, 0])
    let text = Array(header.utf8)
    if major == 1 {
        withUnsafeBytes(of: UInt16(text.count).littleEndian) { data.append(contentsOf: $0) }
    } else {
        withUnsafeBytes(of: UInt32(text.count).littleEndian) { data.append(contentsOf: $0) }
    }
    data.append(contentsOf: text)
    data.append(contentsOf: payload)
    return data
}

func littleEndianBytes(_ values: [Double]) -> [UInt8] {
    values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian, Array.init) }
}

func littleEndianBytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian, Array.init) }
}

func bytes16(_ values: [UInt16]) -> [UInt8] {
    values.flatMap { v in withUnsafeBytes(of: v.littleEndian, Array.init) }
}

/// A fresh empty directory under the system temp directory.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tensors-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
