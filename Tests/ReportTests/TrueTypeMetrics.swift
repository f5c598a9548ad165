import Foundation

/// Advance widths read from a TrueType font file (cmap format 4 + hmtx): an independent
/// measure of how wide a string renders, to check the charts' own width estimate against.
/// Kerning is ignored, which errs on the wide side for text like ours.
struct TrueTypeMetrics {
    let unitsPerEm: Double
    private let advances: [UInt16]
    private let bytes: [UInt8]
    private let cmap: Int   // offset of the format-4 subtable

    static let dejaVuSans = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    static let dejaVuSansBold = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

    init(path: String) throws {
        let b = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes = b
        func u16(_ o: Int) -> Int { Int(b[o]) << 8 | Int(b[o + 1]) }
        func u32(_ o: Int) -> Int { u16(o) << 16 | u16(o + 2) }
        var tables: [String: Int] = [:]
        for i in 0..<u16(4) {
            let r = 12 + 16 * i
            tables[String(decoding: b[r..<(r + 4)], as: UTF8.self)] = u32(r + 8)
        }
        guard let head = tables["head"], let hhea = tables["hhea"], let hmtx = tables["hmtx"], let cmapTable = tables["cmap"] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        unitsPerEm = Double(u16(head + 18))
        let metrics = u16(hhea + 34)
        advances = (0..<metrics).map { UInt16(u16(hmtx + 4 * $0)) }
        var sub: Int? = nil
        for i in 0..<u16(cmapTable + 2) {
            let r = cmapTable + 4 + 8 * i
            let (platform, encoding, offset) = (u16(r), u16(r + 2), u32(r + 4))
            if (platform == 3 && encoding == 1) || platform == 0, u16(cmapTable + offset) == 4 { sub = cmapTable + offset; break }
        }
        guard let sub else { throw CocoaError(.fileReadCorruptFile) }
        cmap = sub
    }

    private func u16(_ o: Int) -> Int { Int(bytes[o]) << 8 | Int(bytes[o + 1]) }

    func glyph(_ c: Unicode.Scalar) -> Int {
        let code = Int(c.value)
        guard code <= 0xFFFF else { return 0 }
        let segments = u16(cmap + 6) / 2
        let ends = cmap + 14, starts = ends + 2 * segments + 2
        let deltas = starts + 2 * segments, rangeOffsets = deltas + 2 * segments
        for i in 0..<segments where u16(ends + 2 * i) >= code {
            let start = u16(starts + 2 * i)
            guard start <= code else { return 0 }
            let delta = u16(deltas + 2 * i), ro = u16(rangeOffsets + 2 * i)
            if ro == 0 { return (code + delta) & 0xFFFF }
            let g = u16(rangeOffsets + 2 * i + ro + 2 * (code - start))
            return g == 0 ? 0 : (g + delta) & 0xFFFF
        }
        return 0
    }

    /// Rendered width of `text` at `size` pixels.
    func width(_ text: String, size: Double) -> Double {
        let units = text.unicodeScalars.reduce(0) { sum, c in
            let g = glyph(c)
            return sum + Int(advances[min(g, advances.count - 1)])
        }
        return Double(units) / unitsPerEm * size
    }
}
