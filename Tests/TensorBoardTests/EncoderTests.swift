import XCTest
import TensorBoard

/// The encoder against values computed by hand from the published formats.
final class EncoderTests: XCTestCase {
    /// CRC-32C's standard check value (the CRC of the ASCII digits 1-9), and the mask:
    /// rotate right by 15, add 0xa282ead8.
    func testCRC32CCheckValueAndMask() {
        let digits = Array("123456789".utf8)
        XCTAssertEqual(CRC32C.checksum(digits), 0xE306_9283)
        let crc: UInt32 = 0xE306_9283
        XCTAssertEqual(CRC32C.masked(digits), ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8)
        XCTAssertEqual(CRC32C.checksum([UInt8]()), 0)
        // 32 zero bytes: the iSCSI test vector of RFC 3720 (B.4).
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
    }

    /// Event{wall_time: 1.5, step: 3, file_version: "brain.Event:2"}, by hand:
    /// 0x09 (field 1, fixed64) + 1.5 as little-endian double (00 00 00 00 00 00 f8 3f),
    /// 0x10 (field 2, varint) 03, 0x1a (field 3, bytes) length 13 + the text.
    func testEventEncodingByHand() {
        let e = TensorBoardEvent(wallTime: 1.5, step: 3, payload: .fileVersion("brain.Event:2"))
        XCTAssertEqual(e.encoded, [0x09, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F, 0x10, 0x03, 0x1A, 13] + Array("brain.Event:2".utf8))
        // A scalar at step 300 (varint ac 02): summary (field 5) { value (field 1) { tag "a" (0a 01 61),
        // simple_value 0.5f (15 + 00 00 00 3f) } }.
        let s = TensorBoardEvent(wallTime: 0, step: 300, payload: .scalars([.init(tag: "a", value: 0.5)]))
        XCTAssertEqual(s.encoded, [0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0xAC, 0x02,
                                   0x2A, 10, 0x0A, 8, 0x0A, 1, 0x61, 0x15, 0, 0, 0, 0x3F])
    }

    /// A record: length (u64 LE), masked CRC of those 8 bytes, the data, masked CRC of the data;
    /// read back whole, and a torn last record is not read.
    func testRecordFramingRoundTripsAndStopsAtATornRecord() {
        let data: [UInt8] = [1, 2, 3, 4, 5]
        let framed = TFRecord.frame(data)
        XCTAssertEqual(framed.count, 8 + 4 + 5 + 4)
        XCTAssertEqual(Array(framed[0..<8]), [5, 0, 0, 0, 0, 0, 0, 0])
        let lengthCRC = CRC32C.masked([5, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(Array(framed[8..<12]), (0..<4).map { UInt8((lengthCRC >> (8 * UInt32($0))) & 0xFF) })
        XCTAssertEqual(Array(framed[12..<17]), data)
        let dataCRC = CRC32C.masked(data)
        XCTAssertEqual(Array(framed[17..<21]), (0..<4).map { UInt8((dataCRC >> (8 * UInt32($0))) & 0xFF) })

        let two = framed + TFRecord.frame([9, 9])
        XCTAssertEqual(TFRecord.records(in: two).records, [data, [9, 9]])
        let torn = Array(two.dropLast(1))
        XCTAssertEqual(TFRecord.records(in: torn).records, [data])
        XCTAssertEqual(TFRecord.records(in: torn).validLength, framed.count)
        var corrupt = two
        corrupt[14] ^= 0xFF
        XCTAssertEqual(TFRecord.records(in: corrupt).records.count, 0)
    }
}
