import GrokCore

/// A named n-dimensional array as stored in a tensor file: raw little-endian bytes in C
/// (row-major) order. Keeping the bytes (not decoded values) lets files round-trip exactly
/// whatever the dtype; `doubles()` / `floats()` decode on demand.
public struct Tensor: Sendable, Equatable {
    public let name: String
    public let dtype: DType
    public let shape: [Int]
    /// Little-endian, C (row-major) order always (NumPy Fortran order is converted on read).
    public let bytes: [UInt8]

    /// Validates that `bytes` holds exactly product(shape) elements of `dtype`.
    public init(name: String, dtype: DType, shape: [Int], bytes: [UInt8]) throws {
        let count = try Tensor.byteCount(shape: shape, dtype: dtype, what: "tensor '\(name)'")
        guard bytes.count == count else {
            throw GrokError("tensor '\(name)': shape \(shape) of \(dtype.rawValue) needs \(count) bytes, got \(bytes.count)")
        }
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// An F64 tensor. The caller guarantees doubles.count == product(shape).
    public init(name: String, shape: [Int], doubles: [Double]) {
        precondition((try? Tensor.byteCount(shape: shape, dtype: .f64, what: name)) == doubles.count * 8,
                     "Tensor \(name): \(doubles.count) values do not fill shape \(shape)")
        var out = [UInt8](repeating: 0, count: doubles.count * 8)
        out.withUnsafeMutableBytes { raw in
            for (i, v) in doubles.enumerated() { raw.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: i * 8, as: UInt64.self) }
        }
        self.name = name; self.dtype = .f64; self.shape = shape; self.bytes = out
    }

    /// An F32 tensor. The caller guarantees floats.count == product(shape).
    public init(name: String, shape: [Int], floats: [Float]) {
        precondition((try? Tensor.byteCount(shape: shape, dtype: .f32, what: name)) == floats.count * 4,
                     "Tensor \(name): \(floats.count) values do not fill shape \(shape)")
        var out = [UInt8](repeating: 0, count: floats.count * 4)
        out.withUnsafeMutableBytes { raw in
            for (i, v) in floats.enumerated() { raw.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self) }
        }
        self.name = name; self.dtype = .f32; self.shape = shape; self.bytes = out
    }

    /// product(shape); always fits (checked at construction).
    public var elementCount: Int { bytes.count / dtype.byteSize }

    /// product(shape) * byteSize with every step overflow-checked: the shape may come from a
    /// hostile file, and a wrapped product would make a bounds check pass by accident.
    static func byteCount(shape: [Int], dtype: DType, what: String) throws -> Int {
        var count = dtype.byteSize
        for d in shape {
            guard d >= 0 else { throw GrokError("\(what): negative dimension \(d) in shape \(shape)") }
            let (p, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { throw GrokError("\(what): size of shape \(shape) overflows") }
            count = p
        }
        return count
    }

    /// Values as Double: floats exactly, integers exactly up to 2^53 (I64 beyond rounds),
    /// BOOL refused (it is not a number).
    public func doubles() throws -> [Double] {
        if dtype == .f64 { return decode { raw, i in Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))) } }
        if dtype == .bool { throw GrokError("tensor '\(name)': BOOL cannot be read as numbers") }
        if dtype == .i64 { return decode { raw, i in Double(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: Int64.self))) } }
        if dtype == .i32 { return decode { raw, i in Double(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: Int32.self))) } }
        return try floats32OrSmall().map(Double.init)
    }

    /// Values as Float: F64, I64 and I32 round to nearest, the rest are exact.
    public func floats() throws -> [Float] {
        switch dtype {
        case .f64: return decode { raw, i in Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)))) }
        case .i64: return decode { raw, i in Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: Int64.self))) }
        case .bool: throw GrokError("tensor '\(name)': BOOL cannot be read as numbers")
        default: return try floats32OrSmall()
        }
    }

    /// Decoding through Float: exact for F32, F16, BF16, I16, I8, U8 (so `doubles()` uses
    /// it for those), rounding for I32.
    private func floats32OrSmall() throws -> [Float] {
        switch dtype {
        case .f32: return decode { raw, i in Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))) }
        case .f16: return decode { raw, i in HalfFloat.float(fromHalfBits: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))) }
        case .bf16: return decode { raw, i in HalfFloat.float(fromBFloat16Bits: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))) }
        case .i32: return decode { raw, i in Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: Int32.self))) }
        case .i16: return decode { raw, i in Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: Int16.self))) }
        case .i8: return decode { raw, i in Float(Int8(bitPattern: raw[i])) }
        case .u8: return decode { raw, i in Float(raw[i]) }
        case .f64, .i64, .bool: throw GrokError("tensor '\(name)': internal: \(dtype.rawValue) is not a small type")
        }
    }

    private func decode<T>(_ element: (UnsafeRawBufferPointer, Int) -> T) -> [T] {
        let n = elementCount
        return bytes.withUnsafeBytes { raw in
            [T](unsafeUninitializedCapacity: n) { out, initialized in
                for i in 0..<n { (out.baseAddress! + i).initialize(to: element(raw, i)) }
                initialized = n
            }
        }
    }

    /// Index (flat, C order) and value of the first NaN or Inf, if any, so that callers can
    /// say "NaN at fc1.weight[3, 17]" (see `multiIndex(ofFlatIndex:)`). Integer and BOOL
    /// tensors are always finite.
    public func firstNonFinite() -> (index: Int, value: Double)? {
        guard dtype.isFloatingPoint, let values = try? doubles() else { return nil }
        for (i, v) in values.enumerated() where !v.isFinite { return (i, v) }
        return nil
    }

    /// The C-order multi-index of a flat element index (e.g. 3 * 784 + 17 -> [3, 17]).
    public func multiIndex(ofFlatIndex flat: Int) -> [Int] {
        var rest = flat
        var index = [Int](repeating: 0, count: shape.count)
        for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] > 0 {
            index[axis] = rest % shape[axis]
            rest /= shape[axis]
        }
        return index
    }
}
