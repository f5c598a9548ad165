import CZlib
import Foundation
import GrokCore

/// gzip (RFC 1952) through zlib. MNIST ships as .gz files, and GrokLab reads them in memory
/// rather than asking the user to gunzip. Input is untrusted: truncation, a bad CRC or bad
/// deflate data end in a one-line GrokError that names `source`, never in a trap.
public enum Gzip {
    /// True when `data` starts with the gzip magic bytes 1f 8b (how IDX readers tell gzip from raw).
    public static func isGzip(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B
    }

    /// Inflates every gzip member in `data` (concatenated members are one stream, as gunzip
    /// treats them). `source` (a file path) is only used in error messages.
    public static func decompress(_ data: Data, source: String) throws -> Data {
        guard isGzip(data) else { throw GrokError("\(source): not gzip data (no 1f 8b magic)") }
        guard data.count >= 18 else {
            throw GrokError("\(source): truncated gzip file (\(data.count) bytes, a gzip member is at least 18)")
        }
        var stream = z_stream()
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw GrokError("\(source): zlib inflateInit2 failed")
        }
        defer { inflateEnd(&stream) }

        // ISIZE (the last 4 bytes) is the uncompressed size mod 2^32 of the last member: a
        // capacity hint only, capped because the file may lie.
        let tail = data.suffix(4).reduce((0, 0)) { acc, b in (acc.0 | Int(b) << acc.1, acc.1 + 8) }.0
        var out = Data(count: max(1 << 16, min(tail, 1 << 30)))
        var produced = 0

        try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            let base = input.bindMemory(to: UInt8.self).baseAddress!
            var consumed = 0
            while true {
                if produced == out.count { out.count = out.count * 2 }
                let given = min(input.count - consumed, Int(UInt32.max))
                let room = min(out.count - produced, Int(UInt32.max))
                stream.next_in = UnsafeMutablePointer(mutating: base + consumed)
                stream.avail_in = UInt32(given)
                let status = out.withUnsafeMutableBytes { (o: UnsafeMutableRawBufferPointer) -> Int32 in
                    stream.next_out = o.bindMemory(to: UInt8.self).baseAddress! + produced
                    stream.avail_out = UInt32(room)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                consumed += given - Int(stream.avail_in)
                produced += room - Int(stream.avail_out)

                switch status {
                case Z_STREAM_END:
                    if consumed == input.count { return }
                    // Another member may follow; anything else after the trailer is corruption.
                    let rest = input.count - consumed
                    guard rest >= 2, base[consumed] == 0x1F, base[consumed + 1] == 0x8B else {
                        throw GrokError("\(source): corrupt gzip file (\(rest) unexpected bytes after the end of the compressed data)")
                    }
                    inflateReset(&stream)
                case Z_OK, Z_BUF_ERROR:
                    // No input left and the stream has not ended: the file was cut short.
                    if consumed == input.count && stream.avail_out > 0 {
                        throw GrokError("\(source): truncated gzip file (compressed data ends after \(input.count) bytes, before the end of the stream)")
                    }
                case Z_MEM_ERROR:
                    throw GrokError("\(source): out of memory while decompressing")
                default:  // Z_DATA_ERROR (bad header, deflate data, CRC or length), Z_NEED_DICT
                    let why = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    throw GrokError("\(source): corrupt gzip file (\(why))")
                }
            }
        }
        out.count = produced
        return out
    }

    /// Deflates `data` into one gzip member (level 9, zlib's default header: mtime 0, no name).
    public static func compress(_ data: Data) throws -> Data {
        var stream = z_stream()
        guard deflateInit2_(&stream, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
                            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw GrokError("gzip: zlib deflateInit2 failed")
        }
        defer { deflateEnd(&stream) }
        var out = Data(count: max(64, data.count / 2))
        var produced = 0
        try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            let base = input.bindMemory(to: UInt8.self).baseAddress
            var consumed = 0
            while true {
                if produced == out.count { out.count = out.count * 2 }
                let given = min(input.count - consumed, Int(UInt32.max))
                let room = min(out.count - produced, Int(UInt32.max))
                let last = consumed + given == input.count
                stream.next_in = base.map { UnsafeMutablePointer(mutating: $0 + consumed) }
                stream.avail_in = UInt32(given)
                let status = out.withUnsafeMutableBytes { (o: UnsafeMutableRawBufferPointer) -> Int32 in
                    stream.next_out = o.bindMemory(to: UInt8.self).baseAddress! + produced
                    stream.avail_out = UInt32(room)
                    return deflate(&stream, last ? Z_FINISH : Z_NO_FLUSH)
                }
                consumed += given - Int(stream.avail_in)
                produced += room - Int(stream.avail_out)
                if status == Z_STREAM_END { return }
                guard status == Z_OK || status == Z_BUF_ERROR else {
                    throw GrokError("gzip: zlib deflate failed (\(status))")
                }
            }
        }
        out.count = produced
        return out
    }
}
