import Foundation
import GrokCore

/// One TensorBoard event: a step, a wall time and what happened (TensorFlow's Event proto,
/// written by `ProtoWriter`, the fields TensorBoard's readers use).
public struct TensorBoardEvent: Sendable, Equatable {
    public enum Payload: Sendable, Equatable {
        /// The first record of every event file ("brain.Event:2").
        case fileVersion(String)
        /// Scalars (Summary.Value.simple_value, float32), one per tag.
        case scalars([Scalar])
        /// A text summary: a scalar string tensor with the text plugin's metadata.
        case text(tag: String, text: String)
    }

    public struct Scalar: Sendable, Equatable {
        public var tag: String
        public var value: Float
        public init(tag: String, value: Float) { self.tag = tag; self.value = value }
    }

    public var wallTime: Double
    public var step: Int
    public var payload: Payload

    public init(wallTime: Double, step: Int, payload: Payload) {
        self.wallTime = wallTime; self.step = step; self.payload = payload
    }

    public static let fileVersion = "brain.Event:2"

    // Field numbers: Event (event.proto), Summary and Summary.Value, SummaryMetadata and its
    // PluginData (summary.proto), TensorProto (tensor.proto).
    enum Event { static let wallTime = 1, step = 2, fileVersion = 3, summary = 5 }
    enum Summary { static let value = 1 }
    enum Value { static let tag = 1, simpleValue = 2, tensor = 8, metadata = 9 }
    enum Metadata { static let pluginData = 1, dataClass = 4, pluginName = 1, tensorDataClass: Int64 = 2 }
    enum Tensor { static let dtype = 1, shape = 2, stringValue = 8, stringType: Int64 = 7 }

    /// The serialized Event message.
    public var encoded: [UInt8] {
        var w = ProtoWriter()
        w.double(Event.wallTime, wallTime)
        w.int64(Event.step, Int64(step))
        switch payload {
        case .fileVersion(let v):
            w.string(Event.fileVersion, v)
        case .scalars(let scalars):
            w.message(Event.summary) { s in
                for scalar in scalars {
                    s.message(Summary.value) { v in
                        v.string(Value.tag, scalar.tag)
                        v.float(Value.simpleValue, scalar.value)
                    }
                }
            }
        case let .text(tag, text):
            w.message(Event.summary) { s in
                s.message(Summary.value) { v in
                    v.string(Value.tag, tag)
                    v.message(Value.tensor) { t in
                        t.int64(Tensor.dtype, Tensor.stringType)
                        t.message(Tensor.shape) { _ in }   // a scalar: no dimensions
                        t.string(Tensor.stringValue, text)
                    }
                    v.message(Value.metadata) { m in
                        m.message(Metadata.pluginData) { p in p.string(Metadata.pluginName, "text") }
                        m.int64(Metadata.dataClass, Metadata.tensorDataClass)
                    }
                }
            }
        }
        return w.bytes
    }
}

/// TFRecord framing: length (uint64, little-endian), masked CRC-32C of the length bytes, the
/// data, masked CRC-32C of the data.
public enum TFRecord {
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 16)
        let length = withUnsafeBytes(of: UInt64(data.count).littleEndian) { Array($0) }
        out += length
        withUnsafeBytes(of: CRC32C.masked(length).littleEndian) { out.append(contentsOf: $0) }
        out += data
        withUnsafeBytes(of: CRC32C.masked(data).littleEndian) { out.append(contentsOf: $0) }
        return out
    }

    /// The records of `bytes` in order, each checked against both CRCs; reading stops at the
    /// first incomplete or corrupt record (a torn last append), whose offset is `validLength`.
    public static func records(in bytes: [UInt8]) -> (records: [[UInt8]], validLength: Int) {
        var records: [[UInt8]] = [], at = 0
        func u32(_ i: Int) -> UInt32 { (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[i + $1]) << (8 * $1) } }
        while at + 12 <= bytes.count {
            let lengthBytes = bytes[at..<(at + 8)]
            guard CRC32C.masked(lengthBytes) == u32(at + 8) else { break }
            let length = lengthBytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard length <= UInt64(bytes.count - at - 16) else { break }
            let data = Array(bytes[(at + 12)..<(at + 12 + Int(length))])
            guard CRC32C.masked(data) == u32(at + 12 + Int(length)) else { break }
            records.append(data)
            at += 16 + Int(length)
        }
        return (records, at)
    }
}

/// An event file written as a whole (atomically: a temporary file, then a rename) or appended
/// to record by record, each record in one write.
public enum EventFile {
    /// The file's bytes: the file-version record, then `events`.
    public static func contents(_ events: [TensorBoardEvent], wallTime: Double) -> Data {
        var bytes = TFRecord.frame(TensorBoardEvent(wallTime: wallTime, step: 0, payload: .fileVersion(TensorBoardEvent.fileVersion)).encoded)
        for e in events { bytes += TFRecord.frame(e.encoded) }
        return Data(bytes)
    }

    public static func write(_ events: [TensorBoardEvent], wallTime: Double, to url: URL) throws {
        try AtomicFile.write(contents(events, wallTime: wallTime), to: url)
    }

    /// Appends `events` to an existing event file.
    public static func append(_ events: [TensorBoardEvent], to url: URL) throws {
        guard !events.isEmpty else { return }
        guard let handle = try? FileHandle(forWritingTo: url) else { throw GrokError("cannot append to \(url.path)") }
        defer { try? handle.close() }
        try handle.seekToEnd()
        for e in events { try handle.write(contentsOf: Data(TFRecord.frame(e.encoded))) }
    }
}
