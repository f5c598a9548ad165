/// Just enough of the protocol-buffer wire format to write TensorBoard's Event messages: field
/// keys, varints, little-endian fixed 32/64-bit values and length-delimited fields (strings,
/// bytes, nested messages). Fields are written in the order called.
public struct ProtoWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    enum WireType: UInt64 { case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5 }

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }

    mutating func key(_ field: Int, _ wire: WireType) { varint(UInt64(field) << 3 | wire.rawValue) }

    public mutating func double(_ field: Int, _ value: Double) {
        key(field, .fixed64)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func float(_ field: Int, _ value: Float) {
        key(field, .fixed32)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// int64 and enum fields (negative values as ten-byte two's complement, as protobuf does).
    public mutating func int64(_ field: Int, _ value: Int64) {
        key(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    public mutating func bytes(_ field: Int, _ value: [UInt8]) {
        key(field, .lengthDelimited)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    public mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    public mutating func message(_ field: Int, _ build: (inout ProtoWriter) -> Void) {
        var inner = ProtoWriter()
        build(&inner)
        bytes(field, inner.bytes)
    }
}
