import CZlib

extension DataSplit {
    /// A fingerprint of exactly the images and labels a run trains and evaluates on (train then
    /// test, pixels then labels), e.g. "crc32:1a2b3c4d". config.json records it so `--resume`
    /// can refuse data that changed since the run started (same flags, different files).
    public var checksum: String {
        var crc: UInt = 0
        for bytes in [train.pixels, train.labels, test.pixels, test.labels] {
            bytes.withUnsafeBufferPointer { b in
                var offset = 0
                while offset < b.count {   // zlib takes 32-bit lengths
                    let n = min(b.count - offset, 1 << 30)
                    crc = CZlib.crc32(crc, b.baseAddress! + offset, UInt32(n))
                    offset += n
                }
            }
        }
        let hex = String(crc & 0xffff_ffff, radix: 16)
        return "crc32:" + String(repeating: "0", count: max(0, 8 - hex.count)) + hex
    }
}
