/// Text from a file made safe for a one-line error message: control characters escaped,
/// long strings cut. Tensor names and dtype strings come from untrusted headers.
func printable(_ s: String, limit: Int = 60) -> String {
    var out = ""
    for u in s.unicodeScalars.prefix(limit) {
        if u.value < 0x20 || u.value == 0x7F || u.properties.generalCategory == .lineSeparator
            || u.properties.generalCategory == .paragraphSeparator || u.value == 0x85 {
            out += "\\u{\(String(u.value, radix: 16))}"
        } else {
            out.unicodeScalars.append(u)
        }
    }
    return s.unicodeScalars.count > limit ? out + "..." : out
}

/// Strict UTF-8 validation (no overlongs, no surrogates), portable to every platform
/// Foundation runs on.
func isValidUTF8(_ bytes: [UInt8]) -> Bool {
    var decoder = UTF8()
    var iterator = bytes.makeIterator()
    while true {
        switch decoder.decode(&iterator) {
        case .scalarValue: continue
        case .emptyInput: return true
        case .error: return false
        }
    }
}

/// A byte range copied into an array with one memcpy (element-wise `Array(slice)` is slow
/// in debug builds, and tensors can be hundreds of megabytes).
func copyBytes(_ raw: UnsafeRawBufferPointer) -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: raw.count) { out, initialized in
        if let base = raw.baseAddress, raw.count > 0 { UnsafeMutableRawPointer(out.baseAddress!).copyMemory(from: base, byteCount: raw.count) }
        initialized = raw.count
    }
}
