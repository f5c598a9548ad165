import Foundation
import GrokCore

/// The IDX format MNIST and Fashion-MNIST ship in (http://yann.lecun.com/exdb/mnist/): a
/// big-endian header (two zero bytes, a type code, the number of dimensions, then one UInt32
/// per dimension) followed by the values. GrokLab needs unsigned bytes only: images
/// (magic 0x00000803: count, rows, cols) and labels (magic 0x00000801: count).
///
/// Files may be raw or gzip; gzip is recognized by its 1f 8b magic, not by the file name.
/// Everything read from a file is checked (magic, overflow-checked sizes, exact byte count)
/// and a bad file ends in a one-line GrokError naming it.
public enum IDX {
    static let imagesMagic: UInt32 = 0x0000_0803
    static let labelsMagic: UInt32 = 0x0000_0801

    public static func readImages(_ url: URL) throws -> (pixels: [UInt8], count: Int, rows: Int, cols: Int) {
        let (dims, payload) = try read(url, magic: imagesMagic, what: "image")
        return (payload, dims[0], dims[1], dims[2])
    }

    public static func readLabels(_ url: URL) throws -> [UInt8] {
        try read(url, magic: labelsMagic, what: "label").payload
    }

    /// Raw (uncompressed) IDX bytes for an image file.
    public static func encodeImages(pixels: [UInt8], count: Int, rows: Int, cols: Int) -> Data {
        precondition(pixels.count == count * rows * cols, "pixels.count must be count * rows * cols")
        return header(magic: imagesMagic, dims: [count, rows, cols]) + Data(pixels)
    }

    /// Raw (uncompressed) IDX bytes for a label file.
    public static func encodeLabels(_ labels: [UInt8]) -> Data {
        header(magic: labelsMagic, dims: [labels.count]) + Data(labels)
    }

    // MARK: - Private

    private static func header(magic: UInt32, dims: [Int]) -> Data {
        var bytes = Data()
        for word in [magic] + dims.map({ UInt32($0) }) {
            withUnsafeBytes(of: word.bigEndian) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    /// Reads `url` (gunzipping when needed), checks the magic and that the payload holds
    /// exactly the product of the dimensions, and returns the dimensions and the payload.
    private static func read(_ url: URL, magic: UInt32, what: String) throws -> (dims: [Int], payload: [UInt8]) {
        let path = url.path
        var data = try readFile(url)
        if Gzip.isGzip(data) { data = try Gzip.decompress(data, source: path) }

        let ndims = Int(magic & 0xFF)
        let headerSize = 4 + 4 * ndims
        func word(_ i: Int) -> UInt32 {
            let s = data.startIndex + 4 * i
            return data[s..<s + 4].reduce(0) { $0 << 8 | UInt32($1) }
        }
        guard data.count >= 4 else {
            throw GrokError("\(path): not an IDX \(what) file (\(data.count) bytes, shorter than the 4-byte magic)")
        }
        let found = word(0)
        guard found == magic else {
            throw GrokError("\(path): not an IDX \(what) file: magic \(hex(found)), expected \(hex(magic)) (unsigned bytes, \(ndims) dimension\(ndims == 1 ? "" : "s"))")
        }
        guard data.count >= headerSize else {
            throw GrokError("\(path): truncated IDX header (\(data.count) bytes, expected \(headerSize))")
        }
        let dims = (1...ndims).map { Int(word($0)) }
        var expected = 1
        for d in dims {
            let (p, overflow) = expected.multipliedReportingOverflow(by: d)
            guard !overflow else { throw GrokError("\(path): IDX dimensions \(dims) overflow") }
            expected = p
        }
        let payloadSize = data.count - headerSize
        guard payloadSize == expected else {
            let shape = dims.map(String.init).joined(separator: " x ")
            let problem = payloadSize < expected ? "truncated" : "has trailing bytes"
            throw GrokError("\(path): IDX \(what) file \(problem): header says \(shape) = \(expected) bytes, payload has \(payloadSize)")
        }
        return (dims, [UInt8](data[(data.startIndex + headerSize)...]))
    }

    private static func readFile(_ url: URL) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw GrokError("\(url.path): no such file")
        }
        guard !isDirectory.boolValue else { throw GrokError("\(url.path): is a directory, expected an IDX file") }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw GrokError("\(url.path): cannot read (\(error.localizedDescription))")
        }
    }

    private static func hex(_ v: UInt32) -> String {
        let digits = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
