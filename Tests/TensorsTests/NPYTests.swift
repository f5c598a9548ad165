import Foundation
import GrokCore
import Tensors
import XCTest

final class NPYTests: XCTestCase {
    private let f8Header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }"

    func testRoundTripEveryNumPyDType() throws {
        for tensor in try SafeTensorsTests.sampleTensors() where tensor.dtype != .bf16 {
            let data = try NPY.encode(tensor)
            XCTAssertEqual(Array(data.prefix(8)), [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
            XCTAssertEqual(data.count - tensor.bytes.count, Int(data[8]) + 10)
            XCTAssertEqual((Int(data[8]) + 10) % 64, 0)  // data aligned as numpy aligns it
            XCTAssertEqual(try NPY.parse(data, name: tensor.name, source: "rt.npy"), tensor)
        }
    }

    func testBF16HasNoNumPyEncoding() throws {
        let t = try Tensor(name: "b", dtype: .bf16, shape: [1], bytes: [0x80, 0x3F])
        assertGrokError(try NPY.encode(t), "BF16")
    }

    /// Our writer produces exactly the bytes np.save wrote for the same array.
    func testEncodeMatchesNumPyByteForByte() throws {
        let t = Tensor(name: "a", shape: [2, 3], doubles: ReferenceFiles.npyF64Values)
        XCTAssertEqual(try NPY.encode(t), ReferenceFiles.npyF64)
        let h = try NPY.parse(ReferenceFiles.npyF16, name: "h", source: "h.npy")
        XCTAssertEqual(try NPY.encode(h), ReferenceFiles.npyF16)  // 1-d shape spelled '(6,)'
        let i = try NPY.parse(ReferenceFiles.npyI32, name: "i", source: "i.npy")
        XCTAssertEqual(try NPY.encode(i), ReferenceFiles.npyI32)
    }

    func testReadsNumPyReferenceFiles() throws {
        let a = try NPY.parse(ReferenceFiles.npyF64, name: "a", source: "a.npy")
        XCTAssertEqual(a.dtype, .f64)
        XCTAssertEqual(a.shape, [2, 3])
        let values = try a.doubles()
        XCTAssertEqual(values, ReferenceFiles.npyF64Values)
        XCTAssertEqual(values[5].sign, .minus)  // -0.0 survives
        let h = try NPY.parse(ReferenceFiles.npyF16, name: "h", source: "h.npy")
        XCTAssertEqual(h.dtype, .f16)
        XCTAssertEqual(h.shape, [6])
        XCTAssertEqual(try h.doubles(), ReferenceFiles.npyF16Values)
        XCTAssertEqual(h.firstNonFinite()?.index, 4)
        let i = try NPY.parse(ReferenceFiles.npyI32, name: "i", source: "i.npy")
        XCTAssertEqual(i.dtype, .i32)
        XCTAssertEqual(try i.doubles(), ReferenceFiles.npyI32Values)
    }

    func testFortranOrderIsConvertedToCOrder() throws {
        let f = try NPY.parse(ReferenceFiles.npyF32Fortran, name: "f", source: "f.npy")
        XCTAssertEqual(f.dtype, .f32)
        XCTAssertEqual(f.shape, [2, 3])
        XCTAssertEqual(try f.floats(), ReferenceFiles.npyF32FortranValues)
        // 3-d: np.arange(24).reshape(2, 3, 4) stored in Fortran order reads back as 0..<24.
        let g = try NPY.parse(ReferenceFiles.npyF64Fortran3D, name: "g", source: "g.npy")
        XCTAssertEqual(g.shape, [2, 3, 4])
        XCTAssertEqual(try g.doubles(), (0..<24).map(Double.init))
    }

    /// A hand-built Fortran file: payload column-major [[1, 2, 3], [4, 5, 6]] is 1 4 2 5 3 6.
    func testHandBuiltFortranOrder() throws {
        let header = "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }\n"
        let data = npyBytes(header, payload: littleEndianBytes([1, 4, 2, 5, 3, 6] as [Double]))
        let t = try NPY.parse(data, name: "m", source: "m.npy")
        XCTAssertEqual(try t.doubles(), [1, 2, 3, 4, 5, 6])
        // Unit dimensions do not change the layout.
        let unit = npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 3, 1, 2), }",
                            payload: littleEndianBytes([1, 3, 5, 2, 4, 6] as [Float]))
        XCTAssertEqual(try NPY.parse(unit, name: "u", source: "u.npy").floats(), [1, 2, 3, 4, 5, 6])
    }

    func testVersions2And3() throws {
        let v2 = try NPY.parse(ReferenceFiles.npyV2, name: "v2", source: "v2.npy")
        XCTAssertEqual(v2.shape, [2, 2])
        XCTAssertEqual(try v2.doubles(), [0.5, 1.0, 1.5, 2.0])
        let v3 = try NPY.parse(ReferenceFiles.npyV3, name: "v3", source: "v3.npy")
        XCTAssertEqual(v3.shape, [2])
        XCTAssertEqual(try v3.floats(), [-1.5, 2.5])
        // Hand-built v2/v3 headers with a 4-byte length, old-style 16-byte padding, Python 2
        // 'L' suffixes and double quotes.
        let payload = littleEndianBytes([7.0, -8.0] as [Double])
        for major: UInt8 in [2, 3] {
            let header = "{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (1L, 2L)}      \n"
            let t = try NPY.parse(npyBytes(header, payload: payload, major: major), name: "h", source: "h.npy")
            XCTAssertEqual(t.shape, [1, 2])
            XCTAssertEqual(try t.doubles(), [7, -8])
        }
    }

    func testScalarAndEmptyArrays() throws {
        let scalar = npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (), }\n", payload: littleEndianBytes([3.5] as [Double]))
        let s = try NPY.parse(scalar, name: "s", source: "s.npy")
        XCTAssertEqual(s.shape, [])
        XCTAssertEqual(try s.doubles(), [3.5])
        let empty = npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (0, 3), }\n")
        XCTAssertEqual(try NPY.parse(empty, name: "e", source: "e.npy").elementCount, 0)
        XCTAssertEqual(try NPY.encode(s), try NPY.encode(Tensor(name: "x", shape: [], doubles: [3.5])))
    }

    func testWriteIsAtomicAndReadNamesTensorAfterFile() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("fc1.weight.npy")
        let t = Tensor(name: "ignored", shape: [2, 2], floats: [1, 2, 3, 4])
        try NPY.write(t, to: url)
        XCTAssertEqual(try Data(contentsOf: url), try NPY.encode(t))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["fc1.weight.npy"])
        let back = try NPY.read(url)
        XCTAssertEqual(back.name, "fc1.weight")
        XCTAssertEqual(back.bytes, t.bytes)
        XCTAssertEqual(back.shape, [2, 2])
        assertGrokError(try NPY.read(dir.appendingPathComponent("absent.npy")), "cannot read", "absent.npy")
    }

    // MARK: - Bad input

    func testBadMagic() {
        assertGrokError(try NPY.parse(Data("PK\u{3}\u{4} not numpy at all".utf8), name: "x", source: "zip.npy"), "zip.npy", "bad magic")
        assertGrokError(try NPY.parse(Data([0x93, 0x4E]), name: "x", source: "short.npy"), "short.npy", "magic")
    }

    func testUnsupportedVersion() {
        var data = npyBytes(f8Header, payload: littleEndianBytes([1, 2] as [Double]))
        data[6] = 4
        assertGrokError(try NPY.parse(data, name: "x", source: "v4.npy"), "v4.npy", "unsupported .npy version 4.0")
        data[6] = 1; data[7] = 1
        assertGrokError(try NPY.parse(data, name: "x", source: "v11.npy"), "version 1.1")
        data[6] = 0; data[7] = 0
        assertGrokError(try NPY.parse(data, name: "x", source: "v0.npy"), "version 0.0")
    }

    func testHeaderLengthBeyondFile() {
        var data = npyBytes(f8Header)
        data.replaceSubrange(8..<10, with: [0xFF, 0x7F])
        assertGrokError(try NPY.parse(data, name: "x", source: "cut.npy"), "cut.npy", "truncated", "32767")
        let v2 = Data([0x93] + Array("NUMPY".utf8) + [2, 0, 5, 0])
        assertGrokError(try NPY.parse(v2, name: "x", source: "v2cut.npy"), "truncated")
    }

    func testHeaderMissingKeys() {
        let headers = ["descr": "{'fortran_order': False, 'shape': (2,), }",
                       "fortran_order": "{'descr': '<f8', 'shape': (2,), }",
                       "shape": "{'descr': '<f8', 'fortran_order': False, }"]
        for (key, header) in headers {
            assertGrokError(try NPY.parse(npyBytes(header, payload: littleEndianBytes([1, 2] as [Double])), name: "x", source: "k.npy"),
                            "k.npy", "missing '\(key)'")
        }
    }

    func testHeaderNotADict() {
        for header in ["['descr', '<f8']", "{'descr': '<f8', 'fortran_order': False, 'shape': (2,)", "{'descr': <f8}",
                       "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), } trailing", "{descr: '<f8'}", "",
                       "{'a': 1, 'a': 2}", "{'s': 'unterminated}", "{'x': " + String(repeating: "(", count: 10_000)] {
            assertGrokError(try NPY.parse(npyBytes(header), name: "x", source: "d.npy"), "d.npy", "header is malformed")
        }
    }

    func testHeaderValueTypes() {
        let payload = littleEndianBytes([1, 2] as [Double])
        assertGrokError(try NPY.parse(npyBytes("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,)}", payload: payload),
                                      name: "x", source: "s.npy"), "structured")
        assertGrokError(try NPY.parse(npyBytes("{'descr': '<f8', 'fortran_order': 0, 'shape': (2,)}", payload: payload),
                                      name: "x", source: "s.npy"), "fortran_order")
        assertGrokError(try NPY.parse(npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': [2]}", payload: payload),
                                      name: "x", source: "s.npy"), "'shape' is not a tuple")
        assertGrokError(try NPY.parse(npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (-2,)}", payload: payload),
                                      name: "x", source: "s.npy"), "negative dimension -2")
        assertGrokError(try NPY.parse(npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': ('2',)}", payload: payload),
                                      name: "x", source: "s.npy"), "non-integer")
        assertGrokError(try NPY.parse(npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,)}", payload: payload),
                                      name: "x", source: "s.npy"), "too large")
        assertGrokError(try NPY.parse(npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4)}", payload: payload),
                                      name: "x", source: "s.npy"), "overflows")
    }

    func testHeaderThatLiesAboutShape() {
        let header = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }"
        assertGrokError(try NPY.parse(npyBytes(header, payload: littleEndianBytes([1, 2] as [Double])), name: "x", source: "few.npy"),
                        "few.npy", "(3,)".isEmpty ? "" : "[3]", "24 bytes", "holds 16", "truncated")
        assertGrokError(try NPY.parse(npyBytes(header, payload: littleEndianBytes([1, 2, 3, 4] as [Double])), name: "x", source: "many.npy"),
                        "many.npy", "24 bytes", "holds 32", "trailing")
    }

    func testBigEndianIsRefused() {
        assertGrokError(try NPY.parse(ReferenceFiles.npyBigEndian, name: "x", source: "be.npy"), "be.npy", "'>f8'", "big-endian not supported")
        let be4 = npyBytes("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", payload: [0, 0, 0, 0])
        assertGrokError(try NPY.parse(be4, name: "x", source: "be.npy"), "big-endian not supported")
    }

    func testUnsupportedDescr() {
        for descr in ["<c16", "<u4", "<U10", "O", "", "<f16", "|f8"] {
            let header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (0,), }"
            assertGrokError(try NPY.parse(npyBytes(header), name: "x", source: "t.npy"), "t.npy", "dtype")
        }
        // One-byte types ignore the byte-order mark.
        let u8 = npyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", payload: [7, 200])
        XCTAssertEqual(try NPY.parse(u8, name: "u", source: "u.npy").doubles(), [7, 200])
    }
}
