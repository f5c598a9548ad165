import Foundation
import GrokCore
import Tensors
import XCTest

final class ConversionTests: XCTestCase {
    /// IEEE half bit patterns with their values worked out by hand from the format
    /// (sign, 5-bit exponent biased by 15, 10-bit mantissa).
    func testHalfKnownBitPatterns() throws {
        let cases: [(UInt16, Double)] = [
            (0x3C00, 1.0),                   // 0 01111 0000000000
            (0xC100, -2.5),                  // 1 10000 0100000000 = -(1 + 1/4) * 2
            (0x7BFF, 65504.0),               // largest finite: (2 - 2^-10) * 2^15
            (0x0001, 0x1p-24),               // smallest subnormal
            (0x03FF, 1023 * 0x1p-24),        // largest subnormal
            (0x0400, 0x1p-14),               // smallest normal
            (0x3555, 0.333251953125),        // 1.0101010101b * 2^-2
            (0x0000, 0.0),
            (0x7C00, .infinity),
            (0xFC00, -.infinity),
        ]
        let tensor = try Tensor(name: "h", dtype: .f16, shape: [cases.count], bytes: bytes16(cases.map(\.0)))
        let doubles = try tensor.doubles()
        let floats = try tensor.floats()
        for (i, (bits, expected)) in cases.enumerated() {
            XCTAssertEqual(doubles[i], expected, "half 0x\(String(bits, radix: 16))")
            XCTAssertEqual(Double(floats[i]), expected, "half 0x\(String(bits, radix: 16))")
        }
        // Negative zero keeps its sign; NaNs (quiet and signalling payloads) stay NaN.
        let special = try Tensor(name: "s", dtype: .f16, shape: [3], bytes: bytes16([0x8000, 0x7E00, 0x7C01])).doubles()
        XCTAssertEqual(special[0], 0)
        XCTAssertEqual(special[0].sign, .minus)
        XCTAssertTrue(special[1].isNaN)
        XCTAssertTrue(special[2].isNaN)
    }

    /// bfloat16 is the top 16 bits of a float32: 1.0 = 0x3F80, -2.5 = 0xC020, etc.
    func testBFloat16KnownBitPatterns() throws {
        let cases: [(UInt16, Double)] = [
            (0x3F80, 1.0), (0xC020, -2.5), (0x4780, 65536.0), (0x477F, 65280.0),
            (0x0001, 0x1p-133),              // smallest bf16 subnormal (float32's 2^-149 * 2^16)
            (0x7F80, .infinity), (0xFF80, -.infinity),
        ]
        let tensor = try Tensor(name: "b", dtype: .bf16, shape: [cases.count], bytes: bytes16(cases.map(\.0)))
        let doubles = try tensor.doubles()
        for (i, (bits, expected)) in cases.enumerated() {
            XCTAssertEqual(doubles[i], expected, "bf16 0x\(String(bits, radix: 16))")
        }
        XCTAssertTrue(try Tensor(name: "n", dtype: .bf16, shape: [1], bytes: bytes16([0x7FC0])).doubles()[0].isNaN)
    }

    /// Every non-NaN half survives half -> Float -> half, so decoder and encoder agree on
    /// all 63,488 finite values and both infinities.
    func testHalfRoundTripsAllBitPatterns() {
        for bits in UInt16.min...UInt16.max {
            let f = HalfFloat.float(fromHalfBits: bits)
            if f.isNaN {
                XCTAssertTrue(HalfFloat.float(fromHalfBits: HalfFloat.halfBits(from: f)).isNaN)
                continue
            }
            XCTAssertEqual(HalfFloat.halfBits(from: f), bits, "half 0x\(String(bits, radix: 16))")
        }
    }

    /// Rounding to half: ties go to even, overflow goes to infinity, tiny values to zero.
    func testHalfEncoderRounding() {
        XCTAssertEqual(HalfFloat.halfBits(from: 1 + 0x1p-11), 0x3C00)           // tie, down to even
        XCTAssertEqual(HalfFloat.halfBits(from: 1 + 3 * 0x1p-11), 0x3C02)       // tie, up to even
        XCTAssertEqual(HalfFloat.halfBits(from: 65519), 0x7BFF)                 // below the tie
        XCTAssertEqual(HalfFloat.halfBits(from: 65520), 0x7C00)                 // tie with 65536: inf
        XCTAssertEqual(HalfFloat.halfBits(from: 0x1p-25), 0x0000)               // tie with 0: even
        XCTAssertEqual(HalfFloat.halfBits(from: 1.5 * 0x1p-25), 0x0001)
        XCTAssertEqual(HalfFloat.halfBits(from: 3 * 0x1p-25), 0x0002)           // tie 1.5 ulp: even
        XCTAssertEqual(HalfFloat.halfBits(from: -0x1p-30), 0x8000)
        XCTAssertEqual(HalfFloat.bfloat16Bits(from: 1 + 0x1p-8), 0x3F80)        // tie, to even
        XCTAssertEqual(HalfFloat.bfloat16Bits(from: 1 + 3 * 0x1p-8), 0x3F82)
        XCTAssertEqual(HalfFloat.bfloat16Bits(from: 3.14159265), 0x4049)
    }

    func testIntegerAndBoolConversions() throws {
        let i64 = try Tensor(name: "i", dtype: .i64, shape: [2],
                             bytes: withUnsafeBytes(of: Int64(-5).littleEndian, Array.init) + withUnsafeBytes(of: Int64(1 << 40).littleEndian, Array.init))
        XCTAssertEqual(try i64.doubles(), [-5, 1_099_511_627_776])
        XCTAssertEqual(try i64.floats(), [-5, 1_099_511_627_776])
        XCTAssertEqual(try Tensor(name: "i16", dtype: .i16, shape: [2], bytes: [0x00, 0x80, 0xFF, 0x7F]).doubles(), [-32768, 32767])
        XCTAssertEqual(try Tensor(name: "i8", dtype: .i8, shape: [2], bytes: [0x80, 0x7F]).doubles(), [-128, 127])
        XCTAssertEqual(try Tensor(name: "u8", dtype: .u8, shape: [2], bytes: [0xFF, 0x01]).doubles(), [255, 1])
        let flags = try Tensor(name: "mask", dtype: .bool, shape: [2], bytes: [0, 1])
        assertGrokError(try flags.doubles(), "mask", "BOOL")
        assertGrokError(try flags.floats(), "mask", "BOOL")
        XCTAssertNil(flags.firstNonFinite())
    }

    func testF64ToFloatRoundsAndF32IsExact() throws {
        let t = Tensor(name: "d", shape: [3], doubles: [0.1, 1e300, -2.5])
        XCTAssertEqual(try t.floats(), [Float(0.1), .infinity, -2.5])
        let f = Tensor(name: "f", shape: [2], floats: [0.1, -3])
        XCTAssertEqual(try f.doubles(), [Double(Float(0.1)), -3])
        XCTAssertEqual(f.bytes, [0xCD, 0xCC, 0xCC, 0x3D, 0x00, 0x00, 0x40, 0xC0])  // 0x3DCCCCCD, 0xC0400000
    }

    func testTensorInitValidatesByteCount() throws {
        assertGrokError(try Tensor(name: "w", dtype: .f32, shape: [2, 3], bytes: [UInt8](repeating: 0, count: 20)), "w", "24", "20")
        assertGrokError(try Tensor(name: "w", dtype: .f32, shape: [-1], bytes: []), "negative")
        assertGrokError(try Tensor(name: "w", dtype: .f32, shape: [1 << 62, 4], bytes: []), "overflow")
        let scalar = try Tensor(name: "s", dtype: .f64, shape: [], bytes: littleEndianBytes([2.5]))
        XCTAssertEqual(scalar.elementCount, 1)
        XCTAssertEqual(try scalar.doubles(), [2.5])
        let empty = try Tensor(name: "e", dtype: .f32, shape: [0, 5], bytes: [])
        XCTAssertEqual(empty.elementCount, 0)
        XCTAssertEqual(try empty.doubles(), [])
    }

    /// firstNonFinite reports the first NaN or Inf in C order, and its multi-index.
    func testFirstNonFinite() throws {
        var values = [Double](repeating: 0.5, count: 12)
        XCTAssertNil(Tensor(name: "fc1.weight", shape: [3, 4], doubles: values).firstNonFinite())
        values[7] = .infinity
        values[9] = .nan
        let t = Tensor(name: "fc1.weight", shape: [3, 4], doubles: values)
        let hit = try XCTUnwrap(t.firstNonFinite())
        XCTAssertEqual(hit.index, 7)
        XCTAssertEqual(hit.value, .infinity)
        XCTAssertEqual(t.multiIndex(ofFlatIndex: hit.index), [1, 3])
        values[7] = 1
        let nan = try XCTUnwrap(Tensor(name: "x", shape: [3, 4], doubles: values).firstNonFinite())
        XCTAssertEqual(nan.index, 9)
        XCTAssertTrue(nan.value.isNaN)
        // F32, F16 and BF16 tensors are checked too.
        XCTAssertEqual(Tensor(name: "f", shape: [3], floats: [1, -.infinity, 2]).firstNonFinite()?.index, 1)
        let half = try Tensor(name: "h", dtype: .f16, shape: [2, 2], bytes: bytes16([0x3C00, 0x3C00, 0x3C00, 0x7E00]))
        XCTAssertEqual(half.firstNonFinite()?.index, 3)
        let bf = try Tensor(name: "b", dtype: .bf16, shape: [2], bytes: bytes16([0xFF80, 0x3F80]))
        XCTAssertEqual(bf.firstNonFinite()?.index, 0)
        XCTAssertEqual(bf.firstNonFinite()?.value, -.infinity)
        // Integer tensors are always finite.
        XCTAssertNil(try Tensor(name: "i", dtype: .i32, shape: [1], bytes: [0xFF, 0xFF, 0x80, 0x7F]).firstNonFinite())
    }

    func testDTypeByteSizes() {
        XCTAssertEqual(DType.allCases.map(\.byteSize), [8, 4, 2, 2, 8, 4, 2, 1, 1, 1])
        XCTAssertEqual(DType.allCases.map(\.rawValue), ["F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL"])
    }
}
