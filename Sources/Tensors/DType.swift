/// Element types of the tensor files GrokLab reads and writes. Raw values are the
/// safetensors spellings ("F32", "BF16", ...); the NumPy spellings live in NPY.swift.
public enum DType: String, Sendable, CaseIterable {
    case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .f64, .i64: return 8
        case .f32, .i32: return 4
        case .f16, .bf16, .i16: return 2
        case .i8, .u8, .bool: return 1
        }
    }

    /// True for the four floating-point types (the ones that can hold NaN or Inf).
    public var isFloatingPoint: Bool {
        switch self {
        case .f64, .f32, .f16, .bf16: return true
        default: return false
        }
    }
}

/// Bit-level conversions of the 16-bit float formats. Swift's `Float16` is unavailable on
/// x86_64 Linux/macOS, so IEEE half is decoded by hand; every half and bfloat16 value is
/// exactly representable as a Float, so these conversions are exact.
public enum HalfFloat {
    /// IEEE 754 binary16 (1 sign, 5 exponent, 10 mantissa bits) to Float, exactly:
    /// subnormals, signed zeros, infinities, and NaN payloads (the quiet bit included).
    @inlinable
    public static func float(fromHalfBits h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = UInt32(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x03FF)
        if exponent == 0 {
            // Zero or subnormal: mantissa * 2^-24, exact in Float (24-bit significand).
            let magnitude = Float(mantissa) * 0x1p-24
            return sign != 0 ? -magnitude : magnitude
        }
        if exponent == 0x1F {
            // Infinity (mantissa 0) or NaN (payload kept in the top mantissa bits).
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))  // 112 = 127 - 15
    }

    /// bfloat16 is the upper half of a Float's bits.
    @inlinable
    public static func float(fromBFloat16Bits b: UInt16) -> Float {
        Float(bitPattern: UInt32(b) << 16)
    }

    /// Float to IEEE half, rounding to nearest even; overflow gives infinity, NaN stays NaN.
    /// (Writers use it to produce F16 tensors; tests use it as the inverse of the decoder.)
    public static func halfBits(from f: Float) -> UInt16 {
        let bits = f.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        let mantissa = bits & 0x7F_FFFF
        if exponent == 0xFF {
            if mantissa == 0 { return sign | 0x7C00 }
            return sign | 0x7E00 | UInt16(truncatingIfNeeded: mantissa >> 13)  // keep it a quiet NaN
        }
        let unbiased = exponent - 127
        if unbiased > 15 { return sign | 0x7C00 }
        if unbiased >= -14 {
            // Normal half: round the 23-bit mantissa to 10 bits (ties to even); a carry may
            // bump the exponent, up to infinity, which is the correct result.
            var half = UInt32(unbiased + 15) << 10 | (mantissa >> 13)
            let rest = mantissa & 0x1FFF
            if rest > 0x1000 || (rest == 0x1000 && half & 1 == 1) { half += 1 }
            return sign | UInt16(half)
        }
        if unbiased < -25 { return sign }  // below half the smallest subnormal: zero
        // Subnormal half: value = m * 2^-24 with m = significand * 2^(unbiased + 1), rounded.
        let significand = mantissa | 0x80_0000          // 24 bits, value = significand * 2^(unbiased-23)
        let shift = UInt32(-unbiased - 1)               // 14...24: 2^(unbiased-23) / 2^-24
        var half = significand >> shift
        let rest = significand & ((1 << shift) - 1)
        let halfway = UInt32(1) << (shift - 1)
        if rest > halfway || (rest == halfway && half & 1 == 1) { half += 1 }
        return sign | UInt16(half)
    }

    /// Float to bfloat16, rounding to nearest even; NaN stays NaN.
    public static func bfloat16Bits(from f: Float) -> UInt16 {
        let bits = f.bitPattern
        if f.isNaN { return UInt16(bits >> 16) | 0x0040 }
        let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
        return UInt16(rounded >> 16)
    }
}
