import Foundation
import GrokCore

/// The contents of a .safetensors file.
public struct SafeTensorsFile: Sendable {
    /// In the order of their data offsets (the order they were written).
    public let tensors: [Tensor]
    public let metadata: [String: String]

    public subscript(name: String) -> Tensor? { tensors.first { $0.name == name } }
}

/// Hugging Face's safetensors format: an 8-byte little-endian header length N, N bytes of
/// JSON ({"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}),
/// then the byte buffer the offsets point into. Files come from users, so every field is
/// validated before a byte of tensor data is touched.
public enum SafeTensors {
    /// Headers above this are refused (the reference implementation's limit too).
    public static let maxHeaderBytes = 100_000_000

    public static func read(_ url: URL) throws -> SafeTensorsFile {
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw GrokError("cannot read \(url.path): \(error.localizedDescription)")
        }
        return try parse(data, source: url.path)
    }

    /// `source` names the file in error messages.
    public static func parse(_ data: Data, source: String) throws -> SafeTensorsFile {
        try data.withUnsafeBytes { raw in try parse(raw, source: source) }
    }

    private static func parse(_ raw: UnsafeRawBufferPointer, source: String) throws -> SafeTensorsFile {
        func fail(_ problem: String) -> GrokError { GrokError("\(source): \(problem)") }

        guard raw.count >= 8 else {
            throw fail("truncated safetensors file: \(raw.count) bytes, need at least 8 for the header length")
        }
        let declared = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
        guard declared <= UInt64(raw.count - 8) else {
            throw fail("truncated safetensors file: header length \(declared) exceeds the \(raw.count - 8) bytes after the length field")
        }
        guard declared <= UInt64(maxHeaderBytes) else {
            throw fail("safetensors header length \(declared) exceeds the \(maxHeaderBytes)-byte limit")
        }
        let headerLength = Int(declared)
        let header = copyBytes(UnsafeRawBufferPointer(rebasing: raw[8..<(8 + headerLength)]))
        let bufferStart = 8 + headerLength
        let bufferSize = raw.count - bufferStart

        let json = try JSONParser.parse(header, context: "\(source): safetensors header")
        guard case .object(let members) = json else {
            throw fail("safetensors header is \(json.kindDescription), expected a JSON object")
        }

        var metadata: [String: String] = [:]
        var entries: [(name: String, dtype: DType, shape: [Int], begin: Int, end: Int)] = []
        for (key, value) in members {
            if key == "__metadata__" {
                metadata = try parseMetadata(value, fail: fail)
                continue
            }
            let what = "tensor '\(printable(key))'"
            guard case .object(let fields) = value else { throw fail("\(what): entry is \(value.kindDescription), expected an object") }
            func field(_ name: String) throws -> JSONValue {
                guard let v = fields.first(where: { $0.key == name })?.value else { throw fail("\(what): missing \"\(name)\"") }
                return v
            }
            guard case .string(let dtypeName) = try field("dtype") else { throw fail("\(what): \"dtype\" is not a string") }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw fail("\(what): unknown dtype \"\(printable(dtypeName))\" (supported: \(DType.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            let shape = try integers(try field("shape"), what: "\(what): shape", fail: fail)
            let offsets = try integers(try field("data_offsets"), what: "\(what): data_offsets", fail: fail)
            guard offsets.count == 2 else { throw fail("\(what): data_offsets has \(offsets.count) entries, expected [begin, end]") }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin <= end else { throw fail("\(what): data_offsets [\(begin), \(end)] has begin > end") }
            guard end <= bufferSize else {
                throw fail("\(what): data_offsets [\(begin), \(end)] run past the end of the \(bufferSize)-byte data buffer (truncated file?)")
            }
            let expected: Int
            do { expected = try Tensor.byteCount(shape: shape, dtype: dtype, what: what) } catch let e as GrokError {
                throw fail(e.message)
            }
            guard end - begin == expected else {
                throw fail("\(what): data_offsets [\(begin), \(end)] span \(end - begin) bytes but shape \(shape) of \(dtype.rawValue) needs \(expected)")
            }
            entries.append((key, dtype, shape, begin, end))
        }

        // Data order; gaps are allowed (some writers align tensors), overlaps are not.
        entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var previous: (name: String, end: Int)? = nil
        for e in entries where e.end > e.begin {
            if let p = previous, e.begin < p.end {
                throw fail("tensors '\(printable(p.name))' and '\(printable(e.name))' overlap in the data buffer")
            }
            previous = (e.name, e.end)
        }

        let tensors = try entries.map { e in
            try Tensor(name: e.name, dtype: e.dtype, shape: e.shape,
                       bytes: copyBytes(UnsafeRawBufferPointer(rebasing: raw[(bufferStart + e.begin)..<(bufferStart + e.end)])))
        }
        return SafeTensorsFile(tensors: tensors, metadata: metadata)
    }

    private static func integers(_ value: JSONValue, what: String, fail: (String) -> GrokError) throws -> [Int] {
        guard case .array(let elements) = value else { throw fail("\(what) is \(value.kindDescription), expected an array of integers") }
        return try elements.map { element in
            switch element {
            case .integer(let i) where i >= 0: return i
            case .integer(let i): throw fail("\(what) contains negative value \(i)")
            case .number(_, let text) where !text.contains(where: { ".eE".contains($0) }) && !text.hasPrefix("-"):
                throw fail("\(what) contains \(printable(text, limit: 40)), too large")
            default: throw fail("\(what) contains \(element.kindDescription), expected a non-negative integer")
            }
        }
    }

    private static func parseMetadata(_ value: JSONValue, fail: (String) -> GrokError) throws -> [String: String] {
        if value == .null { return [:] }
        guard case .object(let members) = value else { throw fail("__metadata__ is \(value.kindDescription), expected an object of strings") }
        var metadata: [String: String] = [:]
        for (key, v) in members {
            guard case .string(let s) = v else { throw fail("__metadata__[\"\(printable(key))\"] is \(v.kindDescription), expected a string") }
            metadata[key] = s
        }
        return metadata
    }

    /// Tensors laid out in the given order, header keys sorted, header padded with spaces to
    /// a multiple of 8 bytes (so the buffer starts aligned, as the reference writer does).
    public static func encode(_ tensors: [Tensor], metadata: [String: String] = [:]) throws -> Data {
        var names = Set<String>()
        for t in tensors {
            guard t.name != "__metadata__" else { throw GrokError("safetensors: a tensor cannot be named __metadata__") }
            guard names.insert(t.name).inserted else { throw GrokError("safetensors: duplicate tensor name '\(t.name)'") }
        }
        var entries: [(key: String, json: String)] = []
        var offset = 0
        for t in tensors {
            let end = offset + t.bytes.count
            entries.append((t.name, "{\"dtype\":\"\(t.dtype.rawValue)\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}"))
            offset = end
        }
        if !metadata.isEmpty {
            let sorted = metadata.sorted { Array($0.key.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.key.unicodeScalars.map(\.value)) }
            entries.append(("__metadata__", "{" + sorted.map { JSONWriter.quoted($0.key) + ":" + JSONWriter.quoted($0.value) }.joined(separator: ",") + "}"))
        }
        entries.sort { Array($0.key.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.key.unicodeScalars.map(\.value)) }
        var header = Array(("{" + entries.map { JSONWriter.quoted($0.key) + ":" + $0.json }.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(0x20) }

        var data = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        for t in tensors { data.append(contentsOf: t.bytes) }
        return data
    }

    public static func write(_ tensors: [Tensor], metadata: [String: String] = [:], to url: URL) throws {
        try AtomicFile.write(try encode(tensors, metadata: metadata), to: url)
    }
}
