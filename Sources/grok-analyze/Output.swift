import Foundation
import HTSR
import Diagnostics

/// Which identifying columns the output needs: `step` when any input is a run snapshot,
/// `file` when rows come from more than one file that is not a snapshot of one run.
struct Layout {
    var showFile: Bool
    var showStep: Bool
    var randomized: Bool

    init(sources: [WeightSource], randomized: Bool) {
        showStep = sources.contains { $0.step != nil }
        let groups = Set(sources.map { ($0.run ?? $0.url).standardizedFileURL.path })
        showFile = groups.count > 1
        self.randomized = randomized
    }
}

/// csv: every metric under WeightWatcher's names, numbers that round-trip, empty cells for
/// what does not exist. `file` and `step` are always there (step empty outside a run) so
/// scripts see one schema.
enum CSVOutput {
    static var header: String {
        (["file", "step", "layer_id", "name"] + Column.metrics.map(\.name)).map(escape).joined(separator: ",")
    }

    static func line(_ row: Row) -> String {
        var cells = [row.source.path, row.source.step.map(String.init) ?? "", String(row.layerID), row.analysis.name]
        for column in Column.metrics {
            switch column.value(row.analysis) {
            case .int(let i)?: cells.append(String(i))
            case .double(let d)?: cells.append("\(d)")
            case .bool(let b)?: cells.append(b ? "true" : "false")
            case .text(let s)?: cells.append(s)
            case nil: cells.append("")
            }
        }
        return cells.map(escape).joined(separator: ",")
    }

    /// RFC 4180: quote a cell holding a comma, quote or line break; double inner quotes.
    static func escape(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// json: an array of objects, LayerAnalysis's own Codable keys plus file, step, layer_id.
enum JSONOutput {
    struct Item: Encodable {
        let row: Row
        enum Keys: String, CodingKey { case file, step, layer_id }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(row.source.path, forKey: .file)
            try c.encodeIfPresent(row.source.step, forKey: .step)
            try c.encode(row.layerID, forKey: .layer_id)
            try row.analysis.encode(to: encoder)
        }
    }

    static func document(_ rows: [Row]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return String(decoding: try encoder.encode(rows.map(Item.init)), as: UTF8.self)
    }
}

/// table: WeightWatcher's DataFrame print, 4 significant digits, right-aligned numbers, then
/// a summary block: ModelSummary's means per file (per step for a run) and what was left out.
enum TableOutput {
    static func render(_ rows: [Row], layout: Layout, skipped: [String]) -> String {
        let metrics = Column.tableColumns(randomized: layout.randomized)
        var header: [String] = []
        if layout.showStep { header.append("step") }
        if layout.showFile { header.append("file") }
        header += ["layer_id", "name"] + metrics.map(\.name)
        let leftAligned: Set<String> = ["file", "name", "status"]

        var body: [[String]] = []
        for row in rows {
            var cells: [String] = []
            if layout.showStep { cells.append(row.source.step.map(String.init) ?? "") }
            if layout.showFile { cells.append(oneLine(row.source.url.lastPathComponent)) }
            cells += [String(row.layerID), oneLine(row.analysis.name)]
            for column in metrics { cells.append(format(column.value(row.analysis))) }
            body.append(cells)
        }
        var out = grid(header: header, body: body, leftAligned: Set(header.indices.filter { leftAligned.contains(header[$0]) }))
        out += "\n" + summary(rows, layout: layout, skipped: skipped)
        return out
    }

    static func format(_ cell: MetricValue?) -> String {
        switch cell {
        case .int(let i)?: return String(i)
        case .double(let d)?:
            guard d.isFinite else { return "\(d)" }
            let s = String(format: "%#.4g", d)   // '#' keeps trailing zeros: 2.300, not 2.3
            return s.hasSuffix(".") ? String(s.dropLast()) : s
        case .bool(let b)?: return b ? "true" : "false"
        case .text(let s)?: return oneLine(s)
        case nil: return "-"
        }
    }

    /// Columns padded to their widest cell; the last column is not padded.
    static func grid(header: [String], body: [[String]], leftAligned: Set<Int>) -> String {
        let all = [header] + body
        let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
        return all.map { cells in
            cells.indices.map { i -> String in
                let pad = String(repeating: " ", count: widths[i] - cells[i].count)
                if i == cells.count - 1 { return leftAligned.contains(i) ? cells[i] : pad + cells[i] }
                return leftAligned.contains(i) ? cells[i] + pad : pad + cells[i]
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    static func summary(_ rows: [Row], layout: Layout, skipped: [String]) -> String {
        // Groups in output order: one per file (per snapshot in a run).
        var groups: [(label: String, rows: [LayerAnalysis])] = []
        for row in rows {
            var label = layout.showFile ? oneLine(row.source.url.lastPathComponent) : ""
            if let step = row.source.step { label = layout.showFile ? "\(label) step \(step)" : String(step) }
            if groups.last?.label == label { groups[groups.count - 1].rows.append(row.analysis) }
            else { groups.append((label, [row.analysis])) }
        }
        let names = ["alpha", "alpha_weighted", "log_norm", "log_alpha_norm", "log_spectral_norm", "stable_rank", "mp_softrank"]
        let labelled = groups.contains { !$0.label.isEmpty }
        let header = (labelled ? [layout.showFile ? "file" : "step"] : []) + ["layers"] + names
        var body: [[String]] = []
        var excluded: [String] = []
        for g in groups {
            let s = ModelSummary(g.rows)
            let values = [s.alpha, s.alphaWeighted, s.logNorm, s.logAlphaNorm, s.logSpectralNorm, s.stableRank, s.mpSoftrank]
            body.append((labelled ? [g.label] : []) + ["\(s.analysedLayers.count)/\(g.rows.count)"]
                        + values.map { format($0.map(MetricValue.double)) })
            let at = g.label.isEmpty ? "" : layout.showFile ? " (\(g.label))" : " (step \(g.label))"
            excluded += s.excludedLayers.map { "  \(oneLine($0.name))\(at): \($0.reason)" }
        }
        var out = "summary: mean over analysed layers (status ok)\n"
        out += grid(header: header, body: body, leftAligned: header.first == "file" ? [0] : [])
        if !excluded.isEmpty { out += "excluded from the means:\n" + excluded.joined(separator: "\n") + "\n" }
        if !skipped.isEmpty { out += "not analysed (not weight matrices):\n" + skipped.map { "  " + $0 }.joined(separator: "\n") + "\n" }
        return out
    }
}
