import Foundation
import GrokCore

/// NumPy's .npy format: "\x93NUMPY", a version (1.0, 2.0 or 3.0), a little-endian header
/// length (u16 in 1.0, u32 after), a Python dict literal {'descr': '<f8', 'fortran_order':
/// False, 'shape': (3, 4), } padded with spaces and a newline, then the raw array.
public enum NPY {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    /// NumPy 2 caps arrays at 64 dimensions; so do we (it also bounds the header parser).
    static let maxDimensions = 64

    /// The tensor is named after the file, without its extension.
    public static func read(_ url: URL) throws -> Tensor {
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw GrokError("cannot read \(url.path): \(error.localizedDescription)")
        }
        return try parse(data, name: url.deletingPathExtension().lastPathComponent, source: url.path)
    }

    public static func parse(_ data: Data, name: String, source: String) throws -> Tensor {
        try data.withUnsafeBytes { raw in try parse(raw, name: name, source: source) }
    }

    private static func parse(_ raw: UnsafeRawBufferPointer, name: String, source: String) throws -> Tensor {
        func fail(_ problem: String) -> GrokError { GrokError("\(source): \(problem)") }

        guard raw.count >= 10, Array(raw[0..<6]) == magic else {
            throw fail("not a .npy file (bad magic: expected \\x93NUMPY)")
        }
        let (major, minor) = (raw[6], raw[7])
        guard (1...3).contains(major), minor == 0 else {
            throw fail("unsupported .npy version \(major).\(minor) (supported: 1.0, 2.0, 3.0)")
        }
        let headerStart = major == 1 ? 10 : 12
        guard raw.count >= headerStart else { throw fail("truncated .npy file: \(raw.count) bytes, header length field incomplete") }
        let headerLength = major == 1
            ? Int(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)))
            : Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
        guard headerLength <= raw.count - headerStart else {
            throw fail("truncated .npy file: header of \(headerLength) bytes declared, \(raw.count - headerStart) present")
        }
        let dataStart = headerStart + headerLength
        let header = try PythonLiteralParser.parseHeader(copyBytes(UnsafeRawBufferPointer(rebasing: raw[headerStart..<dataStart])),
                                                         context: "\(source): .npy header")

        // The three keys numpy writes; a header without one of them is not an array header.
        func key(_ k: String) throws -> PythonLiteral {
            guard let v = header.first(where: { $0.key == k })?.value else { throw fail(".npy header is missing '\(k)'") }
            return v
        }
        guard case .string(let descr) = try key("descr") else {
            throw fail(".npy header 'descr' is not a simple dtype string (structured arrays are not supported)")
        }
        let dtype = try dtypeFromDescr(descr, fail: fail)
        guard case .bool(let fortranOrder) = try key("fortran_order") else { throw fail(".npy header 'fortran_order' is not True or False") }
        guard case .tuple(let dims) = try key("shape") else { throw fail(".npy header 'shape' is not a tuple") }
        guard dims.count <= maxDimensions else { throw fail(".npy shape has \(dims.count) dimensions, more than \(maxDimensions)") }
        let shape: [Int] = try dims.map {
            guard case .integer(let d) = $0 else { throw fail(".npy header 'shape' holds a non-integer") }
            guard d >= 0 else { throw fail(".npy shape contains negative dimension \(d)") }
            return d
        }
        let expected: Int
        do { expected = try Tensor.byteCount(shape: shape, dtype: dtype, what: ".npy shape") } catch let e as GrokError {
            throw fail(e.message)
        }
        let actual = raw.count - dataStart
        guard actual == expected else {
            throw fail(".npy header declares shape \(shape) of '\(printable(descr))' = \(expected) bytes of data, but the file holds \(actual)"
                       + (actual < expected ? " (truncated?)" : " (trailing bytes)"))
        }
        let payload = UnsafeRawBufferPointer(rebasing: raw[dataStart...])
        let bytes = fortranOrder ? cOrder(fromFortran: payload, shape: shape, itemSize: dtype.byteSize) : copyBytes(payload)
        return try Tensor(name: name, dtype: dtype, shape: shape, bytes: bytes)
    }

    /// Maps a NumPy type string to a DType. Little-endian ('<') only; '|' (no byte order)
    /// for one-byte types, where order is meaningless and any marker is accepted.
    static func dtypeFromDescr(_ descr: String, fail: (String) -> GrokError) throws -> DType {
        let table: [String: DType] = ["f8": .f64, "f4": .f32, "f2": .f16, "i8": .i64, "i4": .i32,
                                      "i2": .i16, "i1": .i8, "u1": .u8, "b1": .bool]
        guard let order = descr.first, let dtype = table[String(descr.dropFirst())] else {
            throw fail(".npy dtype '\(printable(descr))' is not supported (supported: f8, f4, f2, i8, i4, i2, i1, u1, b1)")
        }
        if dtype.byteSize == 1 { guard "<>|=".contains(order) else { throw fail(".npy dtype '\(printable(descr))' has an unknown byte order") }; return dtype }
        switch order {
        case "<": return dtype
        case ">": throw fail(".npy dtype '\(printable(descr))' is big-endian: big-endian not supported (convert with arr.astype('<\(descr.dropFirst())'))")
        case "|": throw fail(".npy dtype '\(printable(descr))' has no byte order for a multi-byte type")
        default: throw fail(".npy dtype '\(printable(descr))' has an unknown byte order (expected '<')")
        }
    }

    static func descr(of dtype: DType) throws -> String {
        switch dtype {
        case .f64: return "<f8"
        case .f32: return "<f4"
        case .f16: return "<f2"
        case .i64: return "<i8"
        case .i32: return "<i4"
        case .i16: return "<i2"
        case .i8: return "|i1"
        case .u8: return "|u1"
        case .bool: return "|b1"
        case .bf16: throw GrokError("BF16 has no NumPy dtype; convert the tensor to F32 before writing .npy")
        }
    }

    /// Reorders a Fortran-order (first index fastest) payload into C order. Unit dimensions
    /// are dropped first: they do not change the layout, and the carry loop stays short.
    static func cOrder(fromFortran src: UnsafeRawBufferPointer, shape: [Int], itemSize: Int) -> [UInt8] {
        let dims = shape.filter { $0 != 1 }
        if dims.count <= 1 || dims.contains(0) { return copyBytes(src) }
        // C strides (in elements) of the reduced shape; walk the source in Fortran order.
        var cStride = [Int](repeating: 1, count: dims.count)
        for k in stride(from: dims.count - 2, through: 0, by: -1) { cStride[k] = cStride[k + 1] * dims[k + 1] }
        var out = [UInt8](repeating: 0, count: src.count)
        var index = [Int](repeating: 0, count: dims.count)
        var dest = 0
        out.withUnsafeMutableBytes { dst in
            let count = src.count / itemSize
            for i in 0..<count {
                (dst.baseAddress! + dest * itemSize).copyMemory(from: src.baseAddress! + i * itemSize, byteCount: itemSize)
                var k = 0
                while k < dims.count {
                    index[k] += 1
                    dest += cStride[k]
                    if index[k] < dims[k] { break }
                    dest -= cStride[k] * dims[k]
                    index[k] = 0
                    k += 1
                }
            }
        }
        return out
    }

    /// Version 1.0 (2.0 only if the header outgrows 65535 bytes), C order, header padded
    /// with spaces and a newline so the data starts on a 64-byte boundary, as numpy does.
    public static func encode(_ tensor: Tensor) throws -> Data {
        let shapeText = tensor.shape.count == 1 ? "(\(tensor.shape[0]),)" : "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
        var header = Array("{'descr': '\(try descr(of: tensor.dtype))', 'fortran_order': False, 'shape': \(shapeText), }".utf8)
        let version: UInt8 = header.count + 11 > 65535 ? 2 : 1
        let prefix = version == 1 ? 10 : 12
        while (prefix + header.count + 1) % 64 != 0 { header.append(0x20) }
        header.append(0x0A)

        var data = Data(capacity: prefix + header.count + tensor.bytes.count)
        data.append(contentsOf: magic)
        data.append(contentsOf: [version, 0])
        if version == 1 {
            withUnsafeBytes(of: UInt16(header.count).littleEndian) { data.append(contentsOf: $0) }
        } else {
            withUnsafeBytes(of: UInt32(header.count).littleEndian) { data.append(contentsOf: $0) }
        }
        data.append(contentsOf: header)
        data.append(contentsOf: tensor.bytes)
        return data
    }

    public static func write(_ tensor: Tensor, to url: URL) throws {
        try AtomicFile.write(try encode(tensor), to: url)
    }
}
