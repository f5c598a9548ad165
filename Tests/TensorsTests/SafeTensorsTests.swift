import Foundation
import GrokCore
import Tensors
import XCTest

final class SafeTensorsTests: XCTestCase {
    /// One tensor of every dtype with seeded random bytes (BOOL as 0/1), plus a scalar and an
    /// empty tensor.
    static func sampleTensors() throws -> [Tensor] {
        var rng = SeededRandom(seed: 7, stream: "safetensors-sample")
        var tensors: [Tensor] = []
        for (i, dtype) in DType.allCases.enumerated() {
            let shape = [i % 3 + 1, 3]
            let count = shape.reduce(1, *) * dtype.byteSize
            let bytes = (0..<count).map { _ in dtype == .bool ? UInt8(rng.nextInt(below: 2)) : UInt8(truncatingIfNeeded: rng.next()) }
            tensors.append(try Tensor(name: "t.\(dtype.rawValue.lowercased())", dtype: dtype, shape: shape, bytes: bytes))
        }
        tensors.append(try Tensor(name: "scalar", dtype: .f64, shape: [], bytes: littleEndianBytes([-0.75])))
        tensors.append(try Tensor(name: "empty", dtype: .f32, shape: [0, 4], bytes: []))
        return tensors
    }

    func testRoundTripEveryDType() throws {
        let tensors = try Self.sampleTensors()
        let metadata = ["format": "pt", "step": "1000", "quote\"and\\slash": "line\nbreak \u{1} é 🙂"]
        let data = try SafeTensors.encode(tensors, metadata: metadata)
        let file = try SafeTensors.parse(data, source: "roundtrip.safetensors")
        XCTAssertEqual(file.tensors, tensors)
        XCTAssertEqual(file.metadata, metadata)
        XCTAssertEqual(file["t.bf16"], tensors[3])
        XCTAssertNil(file["missing"])
        // Without metadata the header has no __metadata__ key and parses to an empty dict.
        let plain = try SafeTensors.parse(try SafeTensors.encode(tensors), source: "plain")
        XCTAssertEqual(plain.tensors, tensors)
        XCTAssertEqual(plain.metadata, [:])
        XCTAssertEqual(try SafeTensors.parse(try SafeTensors.encode([]), source: "none").tensors, [])
    }

    /// The writer's layout: 8-byte length, header padded with spaces to a multiple of 8,
    /// keys sorted, data in the given order right after the header.
    func testEncodedLayout() throws {
        let b = Tensor(name: "b", shape: [2], doubles: [1, 2])
        let a = Tensor(name: "a", shape: [1], floats: [3])
        let data = try SafeTensors.encode([b, a], metadata: ["k": "v"])
        let n = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        XCTAssertEqual(n % 8, 0)
        XCTAssertEqual(data.count, 8 + n + 16 + 4)
        let header = String(decoding: data[8..<(8 + n)], as: UTF8.self)
        XCTAssertEqual(header.trimmingCharacters(in: .whitespaces),
                       #"{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[1],"data_offsets":[16,20]},"b":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}"#)
        XCTAssertLessThan(n - header.trimmingCharacters(in: .whitespaces).utf8.count, 8)  // padding only
        XCTAssertEqual(Array(data[(8 + n)...]), b.bytes + a.bytes)
        // Tensors come back in data order, i.e. the order they were given.
        XCTAssertEqual(try SafeTensors.parse(data, source: "x").tensors.map(\.name), ["b", "a"])
    }

    /// A file written by the Python safetensors library: values, dtypes, shapes and
    /// metadata must match what Python printed.
    func testReadsReferenceFileFromPythonSafetensors() throws {
        let file = try SafeTensors.parse(ReferenceFiles.safetensorsMixed, source: "reference.safetensors")
        XCTAssertEqual(file.metadata, ["format": "np", "step": "42"])
        XCTAssertEqual(file.tensors.map(\.name), ["count", "fc1.bias", "fc1.weight", "emb"])
        let weight = try XCTUnwrap(file["fc1.weight"])
        XCTAssertEqual(weight.dtype, .f32)
        XCTAssertEqual(weight.shape, [3, 2])
        XCTAssertEqual(try weight.doubles(), ReferenceFiles.safetensorsWeightValues)
        let bias = try XCTUnwrap(file["fc1.bias"])
        XCTAssertEqual(bias.dtype, .f64)
        XCTAssertEqual(try bias.doubles(), ReferenceFiles.safetensorsBiasValues)  // incl. a subnormal
        let emb = try XCTUnwrap(file["emb"])
        XCTAssertEqual(emb.dtype, .f16)
        XCTAssertEqual(try emb.doubles(), ReferenceFiles.safetensorsEmbValues)
        XCTAssertEqual(emb.firstNonFinite()?.index, 4)
        let count = try XCTUnwrap(file["count"])
        XCTAssertEqual(count.dtype, .i64)
        XCTAssertEqual(try count.doubles(), [3, -4])
        // Re-encoding (different layout) and parsing again preserves every tensor.
        let again = try SafeTensors.parse(try SafeTensors.encode(file.tensors, metadata: file.metadata), source: "again")
        XCTAssertEqual(again.tensors, file.tensors)
        XCTAssertEqual(again.metadata, file.metadata)
    }

    func testReadsHandWrittenBF16File() throws {
        let file = try SafeTensors.parse(ReferenceFiles.safetensorsBF16, source: "bf16.safetensors")
        let w = try XCTUnwrap(file["w"])
        XCTAssertEqual(w.dtype, .bf16)
        XCTAssertEqual(w.shape, [2, 2])
        XCTAssertEqual(try w.doubles(), [1.0, -2.5, 3.140625, .infinity])
        XCTAssertEqual(try w.floats(), [1.0, -2.5, 3.140625, .infinity])
    }

    func testGapsBetweenTensorsAreAllowed() throws {
        let header = #"{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[1],"data_offsets":[5,6]}}"#
        let file = try SafeTensors.parse(safetensorsBytes(header, buffer: [1, 2, 9, 9, 9, 3, 9]), source: "gaps")
        XCTAssertEqual(file["a"]?.bytes, [1, 2])
        XCTAssertEqual(file["b"]?.bytes, [3])
    }

    func testHeaderWhitespaceAndUnknownEntryKeysAreAccepted() throws {
        let header = " {\n \"a\" : {\"data_offsets\":[0,1], \"shape\": [1], \"dtype\": \"I8\", \"extra\": [null, true, {}]} }   "
        XCTAssertEqual(try SafeTensors.parse(safetensorsBytes(header, buffer: [0xFF]), source: "ws")["a"]?.doubles(), [-1])
    }

    func testWriteIsAtomicAndReadable() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("step-0000000100.safetensors")
        let tensors = try Self.sampleTensors()
        try SafeTensors.write(tensors, metadata: ["step": "100"], to: url)
        XCTAssertEqual(try Data(contentsOf: url), try SafeTensors.encode(tensors, metadata: ["step": "100"]))
        // Overwriting replaces the file; no temporary file is left behind.
        try SafeTensors.write([tensors[0]], to: url)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [url.lastPathComponent])
        XCTAssertEqual(try SafeTensors.read(url).tensors, [tensors[0]])
        assertGrokError(try SafeTensors.read(dir.appendingPathComponent("nope.safetensors")), "cannot read", "nope.safetensors")
        assertGrokError(try SafeTensors.write(tensors, to: dir.appendingPathComponent("no/such/dir.safetensors")), "cannot write")
    }

    func testEncodeRejectsDuplicateAndReservedNames() {
        let t = Tensor(name: "w", shape: [1], floats: [1])
        assertGrokError(try SafeTensors.encode([t, t]), "duplicate", "w")
        assertGrokError(try SafeTensors.encode([Tensor(name: "__metadata__", shape: [1], floats: [1])]), "__metadata__")
    }

    // MARK: - Bad input: each case throws a GrokError that names the file and the problem.

    private let one = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#

    func testFileShorterThanLengthField() {
        assertGrokError(try SafeTensors.parse(Data([1, 2, 3]), source: "tiny.safetensors"), "tiny.safetensors", "truncated", "3 bytes")
        assertGrokError(try SafeTensors.parse(Data(), source: "empty.safetensors"), "empty.safetensors", "truncated")
    }

    func testHeaderShorterThanDeclared() {
        var data = safetensorsBytes(one, buffer: [UInt8](repeating: 0, count: 8))
        data.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(1000).littleEndian, Array.init))
        assertGrokError(try SafeTensors.parse(data, source: "short.safetensors"), "short.safetensors", "truncated", "header length 1000")
        data.replaceSubrange(0..<8, with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        assertGrokError(try SafeTensors.parse(data, source: "huge"), "truncated", "header length 18446744073709551615")
    }

    func testHeaderAboveSizeLimit() {
        var data = Data(count: SafeTensors.maxHeaderBytes + 16)  // zero pages: cheap
        data.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(SafeTensors.maxHeaderBytes + 1).littleEndian, Array.init))
        assertGrokError(try SafeTensors.parse(data, source: "big"), "header length", "limit")
    }

    func testBufferShorterThanOffsets() {
        assertGrokError(try SafeTensors.parse(safetensorsBytes(one, buffer: [0, 0, 0, 0, 0]), source: "cut.safetensors"),
                        "cut.safetensors", "tensor 'w'", "[0, 8]", "5-byte", "truncated")
    }

    func testHeaderNotJSON() {
        assertGrokError(try SafeTensors.parse(safetensorsBytes("{'w': 1}"), source: "bad"), "bad", "not valid JSON")
        assertGrokError(try SafeTensors.parse(safetensorsBytes(#"{"w":{"dtype":"F32""#), source: "bad"), "not valid JSON", "end of input")
        assertGrokError(try SafeTensors.parse(safetensorsBytes(#"{"a":1,}"#), source: "bad"), "not valid JSON")
        assertGrokError(try SafeTensors.parse(safetensorsBytes(#"{} {}"#), source: "bad"), "not valid JSON", "after")
        assertGrokError(try SafeTensors.parse(safetensorsBytes(""), source: "bad"), "not valid JSON")
        assertGrokError(try SafeTensors.parse(safetensorsBytes("{\"a\u{0}\":1}"), source: "bad"), "control character")
        assertGrokError(try SafeTensors.parse(safetensorsBytes(#"{"\ud800":1}"#), source: "bad"), "surrogate")
        assertGrokError(try SafeTensors.parse(safetensorsBytes(#"{"a":01}"#), source: "bad"), "not valid JSON")
    }

    func testHeaderNotUTF8() {
        var data = safetensorsBytes(#"{"é":{}}"#)
        data[10] = 0xFF
        assertGrokError(try SafeTensors.parse(data, source: "latin"), "UTF-8")
    }

    func testHeaderJSONNotAnObject() {
        assertGrokError(try SafeTensors.parse(safetensorsBytes("[1, 2]"), source: "arr"), "arr", "an array", "expected a JSON object")
        assertGrokError(try SafeTensors.parse(safetensorsBytes("42"), source: "num"), "expected a JSON object")
        assertGrokError(try SafeTensors.parse(safetensorsBytes(#"{"w": [1]}"#), source: "e"), "tensor 'w'", "expected an object")
    }

    func testDeepNesting() {
        let deep = String(repeating: "[", count: 10_000)
        assertGrokError(try SafeTensors.parse(safetensorsBytes(deep), source: "deep"), "nesting deeper")
        let deepObject = #"{"w":"# + String(repeating: #"{"a":"#, count: 10_000)
        assertGrokError(try SafeTensors.parse(safetensorsBytes(deepObject), source: "deep"), "nesting deeper")
    }

    func testDuplicateTensorNames() {
        let header = #"{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"w":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}"#
        assertGrokError(try SafeTensors.parse(safetensorsBytes(header, buffer: [1, 2]), source: "dup"), "duplicate key", "w")
    }

    func testUnknownDType() {
        let header = #"{"w":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}"#
        assertGrokError(try SafeTensors.parse(safetensorsBytes(header, buffer: [0, 0]), source: "f8"), "tensor 'w'", "unknown dtype", "F8_E4M3")
        let notString = #"{"w":{"dtype":32,"shape":[2],"data_offsets":[0,2]}}"#
        assertGrokError(try SafeTensors.parse(safetensorsBytes(notString, buffer: [0, 0]), source: "f8"), "dtype", "not a string")
    }

    func testMissingEntryFields() {
        for field in ["dtype", "shape", "data_offsets"] {
            var fields = [#""dtype":"U8""#, #""shape":[1]"#, #""data_offsets":[0,1]"#]
            fields.removeAll { $0.contains("\"\(field)\"") }
            let header = #"{"w":{"# + fields.joined(separator: ",") + "}}"
            assertGrokError(try SafeTensors.parse(safetensorsBytes(header, buffer: [0]), source: "m"), "tensor 'w'", "missing \"\(field)\"")
        }
    }

    func testNegativeShape() {
        let header = #"{"w":{"dtype":"U8","shape":[-1, 2],"data_offsets":[0,0]}}"#
        assertGrokError(try SafeTensors.parse(safetensorsBytes(header), source: "neg"), "shape", "negative value -1")
    }

    func testNonIntegerShape() {
        for bad in ["2.5", "2.0", "2e0", "\"2\"", "null", "true", "[2]"] {
            let header = #"{"w":{"dtype":"U8","shape":["# + bad + #"],"data_offsets":[0,2]}}"#
            assertGrokError(try SafeTensors.parse(safetensorsBytes(header, buffer: [0, 0]), source: "frac"), "shape", "expected a non-negative integer")
        }
        let notArray = #"{"w":{"dtype":"U8","shape":2,"data_offsets":[0,2]}}"#
        assertGrokError(try SafeTensors.parse(safetensorsBytes(notArray, buffer: [0, 0]), source: "s"), "shape", "expected an array")
        let huge = #"{"w":{"dtype":"U8","shape":[99999999999999999999999],"data_offsets":[0,2]}}"#
        assertGrokError(try SafeTensors.parse(safetensorsBytes(huge, buffer: [0, 0]), source: "s"), "shape", "too large")
    }

    func testOffsetsOutOfRange() {
        let reversed = #"{"w":{"dtype":"U8","shape":[0],"data_offsets":[4,2]}}"#
        assertGrokError(try SafeTensors.parse(safetensorsBytes(reversed, buffer: [0, 0, 0, 0]), source: "r"), "[4, 2]", "begin > end")
        let past = #"{"w":{"dtype":"U8","shape":[2],"data_offsets":[10,12]}}"#
        assertGrokError(try SafeTensors.parse(safetensorsBytes(past, buffer: [0, 0, 0, 0]), source: "p"), "[10, 12]", "past the end", "4-byte")
        let negative = #"{"w":{"dtype":"U8","shape":[2],"data_offsets":[-2,0]}}"#
        assertGrokError(try SafeTensors.parse(safetensorsBytes(negative, buffer: [0, 0]), source: "n"), "data_offsets", "negative")
        let hugeEnd = #"{"w":{"dtype":"U8","shape":[2],"data_offsets":[0,18446744073709551615]}}"#
        assertGrokError(try SafeTensors.parse(safetensorsBytes(hugeEnd, buffer: [0, 0]), source: "h"), "data_offsets", "too large")
    }

    func testOffsetsCountMismatch() {
        for offsets in ["[0]", "[0,1,2]", "[]"] {
            let header = #"{"w":{"dtype":"U8","shape":[1],"data_offsets":"# + offsets + "}}"
            assertGrokError(try SafeTensors.parse(safetensorsBytes(header, buffer: [0, 0, 0]), source: "c"), "data_offsets", "expected [begin, end]")
        }
    }

    func testOverlappingTensors() {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        assertGrokError(try SafeTensors.parse(safetensorsBytes(header, buffer: [UInt8](repeating: 0, count: 8)), source: "ov.safetensors"),
                        "ov.safetensors", "'a'", "'b'", "overlap")
        let same = #"{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}"#
        assertGrokError(try SafeTensors.parse(safetensorsBytes(same, buffer: [0, 0]), source: "same"), "overlap")
    }

    func testSizeOverflow() {
        let header = #"{"w":{"dtype":"F32","shape":[4611686018427387904, 4],"data_offsets":[0,8]}}"#
        assertGrokError(try SafeTensors.parse(safetensorsBytes(header, buffer: [UInt8](repeating: 0, count: 8)), source: "of"),
                        "tensor 'w'", "overflows")
    }

    func testOffsetsSpanDisagreesWithShape() {
        let header = #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#
        assertGrokError(try SafeTensors.parse(safetensorsBytes(header, buffer: [UInt8](repeating: 0, count: 12)), source: "span"),
                        "tensor 'w'", "span 8 bytes", "needs 12")
    }

    func testMetadataMustBeStrings() {
        let header = #"{"__metadata__":{"step":42}}"#
        assertGrokError(try SafeTensors.parse(safetensorsBytes(header), source: "meta"), "__metadata__", "step", "expected a string")
        assertGrokError(try SafeTensors.parse(safetensorsBytes(#"{"__metadata__":["a"]}"#), source: "meta"), "__metadata__", "expected an object")
        XCTAssertEqual(try SafeTensors.parse(safetensorsBytes(#"{"__metadata__":null}"#), source: "meta").metadata, [:])
    }
}

extension SafeTensorsTests {
    /// Names from a hostile header cannot break the one-line error format.
    func testControlCharactersInNamesAreEscapedInErrors() {
        let header = #"{"evil\nname\u2028":{"dtype":"F7","shape":[1],"data_offsets":[0,1]}}"#
        assertGrokError(try SafeTensors.parse(safetensorsBytes(header, buffer: [0]), source: "evil"), "evil\\u{a}name\\u{2028}", "unknown dtype")
    }
}
