import Foundation
import GrokCore
import Tensors
import XCTest

/// Hostile-input fuzzing: random bytes and mutations of valid files go into both parsers.
/// Every input must parse into consistent tensors or throw a GrokError; a crash, a hang or
/// another error type fails the suite. Seeded, so a failure names a reproducible case.
final class FuzzTests: XCTestCase {
    private static let jsonFragments = [
        "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\ud800", "null", "true", "-", "0", "1e999",
        "18446744073709551616", "-9223372036854775809", "9223372036854775807", "4611686018427387904",
        "1.5", "\"dtype\"", "\"F32\"", "\"BF16\"", "\"shape\"", "\"data_offsets\"", "\"__metadata__\"",
        "[0,0]", "[0,4]", "[4,0]", "[]", "{}", "\u{0}", "\u{FF}", "é", "🙂", "\\n", "\\u2028", "\\r",
        String(repeating: "[", count: 10_000), String(repeating: "{\"a\":", count: 500),
    ]
    private static let pythonFragments = [
        "{", "}", "(", ")", ",)", "[", "]", ":", "'", "\"", "\\", "True", "False", "None", "L",
        "'descr'", "'<f8'", "'>f8'", "'|b1'", "'shape'", "'fortran_order'", "-1", "0",
        "99999999999999999999999", "4611686018427387904", "\n", "\r", "\\\n", "\u{2028}", "\u{0}",
        String(repeating: "(", count: 10_000),
    ]

    private func checkSafeTensors(_ data: Data, _ label: String) {
        do {
            let file = try SafeTensors.parse(data, source: label)
            for t in file.tensors { check(t, label) }
        } catch let error as GrokError {
            XCTAssertFalse(error.message.contains(where: \.isNewline), "\(label): multi-line error \(error.message)")
        } catch {
            XCTFail("\(label): non-GrokError \(error)")
        }
    }

    private func checkNPY(_ data: Data, _ label: String) {
        do {
            check(try NPY.parse(data, name: "fuzz", source: label), label)
        } catch let error as GrokError {
            XCTAssertFalse(error.message.contains(where: \.isNewline), "\(label): multi-line error \(error.message)")
        } catch {
            XCTFail("\(label): non-GrokError \(error)")
        }
    }

    /// A parsed tensor is self-consistent and its values decode.
    private func check(_ t: Tensor, _ label: String) {
        var count = t.dtype.byteSize
        for d in t.shape { count *= d }
        XCTAssertEqual(t.bytes.count, count, label)
        if t.dtype != .bool { XCTAssertEqual((try? t.doubles())?.count, t.elementCount, label) }
        _ = t.firstNonFinite()
    }

    private func randomBytes(_ n: Int, _ rng: inout SeededRandom) -> [UInt8] {
        (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }

    /// One random mutation: flip bytes, truncate, insert, delete, overwrite a run, or
    /// splice a fragment from `fragments` somewhere.
    private func mutate(_ input: [UInt8], _ fragments: [String], _ rng: inout SeededRandom) -> [UInt8] {
        var b = input
        let rounds = 1 + rng.nextInt(below: 3)
        for _ in 0..<rounds {
            let at = b.isEmpty ? 0 : rng.nextInt(below: b.count + 1)
            switch rng.nextInt(below: 6) {
            case 0: if at < b.count { b[at] = UInt8(truncatingIfNeeded: rng.next()) }
            case 1: if at < b.count { b[at] ^= UInt8(1) << UInt8(rng.nextInt(below: 8)) }
            case 2: b.removeSubrange(at...)
            case 3: b.insert(contentsOf: randomBytes(1 + rng.nextInt(below: 8), &rng), at: at)
            case 4: b.removeSubrange(at..<min(b.count, at + 1 + rng.nextInt(below: 16)))
            default: b.insert(contentsOf: Array(fragments[rng.nextInt(below: fragments.count)].utf8), at: at)
            }
        }
        return b
    }

    func testRandomBytes() {
        var rng = SeededRandom(seed: 1, stream: "fuzz-random")
        for i in 0..<3000 {
            var bytes = randomBytes(rng.nextInt(below: 200), &rng)
            // Half the time, keep a plausible prefix so the parsers get past the first check.
            if i % 2 == 0, bytes.count >= 12 {
                bytes.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(rng.nextInt(below: bytes.count)).littleEndian, Array.init))
            }
            checkSafeTensors(Data(bytes), "random-\(i)")
            var npy = bytes
            if i % 2 == 0, npy.count >= 12 { npy.replaceSubrange(0..<8, with: [0x93] + Array("NUMPY".utf8) + [UInt8(1 + i % 3), 0]) }
            checkNPY(Data(npy), "random-npy-\(i)")
        }
    }

    func testMutatedSafeTensorsFiles() throws {
        var rng = SeededRandom(seed: 2, stream: "fuzz-safetensors")
        let valid = Array(try SafeTensors.encode(try SafeTensorsTests.sampleTensors(), metadata: ["step": "1", "k": "v"]))
        let reference = Array(ReferenceFiles.safetensorsMixed)
        for i in 0..<3000 {
            let base = i % 2 == 0 ? valid : reference
            checkSafeTensors(Data(mutate(base, Self.jsonFragments, &rng)), "st-mutation-\(i)")
        }
    }

    /// Mutations of the header text only, re-framed with a correct length prefix, so the
    /// JSON parser and the entry validation (not just the length check) see every case.
    func testMutatedSafeTensorsHeaders() throws {
        var rng = SeededRandom(seed: 3, stream: "fuzz-headers")
        let data = Array(ReferenceFiles.safetensorsMixed)
        let n = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let header = Array(data[8..<(8 + n)])
        let buffer = Array(data[(8 + n)...])
        var parsedCount = 0
        for i in 0..<3000 {
            let mutated = mutate(header, Self.jsonFragments, &rng)
            let cut = rng.nextInt(below: 4) == 0 ? rng.nextInt(below: buffer.count + 1) : buffer.count
            let file = safetensorsBytes(String(decoding: mutated, as: UTF8.self), buffer: Array(buffer[..<cut]))
            if (try? SafeTensors.parse(file, source: "")) != nil { parsedCount += 1 }
            checkSafeTensors(file, "header-mutation-\(i)")
        }
        // Sanity: some mutations (e.g. inside metadata strings) leave a valid file.
        XCTAssertGreaterThan(parsedCount, 0)
    }

    func testMutatedNPYFiles() throws {
        var rng = SeededRandom(seed: 4, stream: "fuzz-npy")
        let bases = [Array(ReferenceFiles.npyF64), Array(ReferenceFiles.npyF32Fortran), Array(ReferenceFiles.npyF64Fortran3D),
                     Array(ReferenceFiles.npyV2), Array(ReferenceFiles.npyV3), Array(ReferenceFiles.npyF16)]
        for i in 0..<3000 {
            checkNPY(Data(mutate(bases[i % bases.count], Self.pythonFragments, &rng)), "npy-mutation-\(i)")
        }
    }

    /// Header-only mutations re-framed with a correct length field (versions 1 and 3).
    func testMutatedNPYHeaders() {
        var rng = SeededRandom(seed: 5, stream: "fuzz-npy-headers")
        let header = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }"
        let payload = littleEndianBytes([1, 2, 3, 4, 5, 6] as [Float])
        for i in 0..<3000 {
            let mutated = String(decoding: mutate(Array(header.utf8), Self.pythonFragments, &rng), as: UTF8.self)
            checkNPY(npyBytes(mutated, payload: payload, major: i % 2 == 0 ? 1 : 3), "npy-header-mutation-\(i)")
        }
    }
}
