import Foundation
import Charts
import GrokCore

/// `grok-report seeds`: several runs, grouped by everything but their seed, drawn as the
/// paper's figures with seed bands and tabulated at the phase centres, into one folder:
/// figures/ (SVG, PNG), phase-centres.md and .csv, index.html and seeds.json (which runs went in).
public enum SeedReport {
    public static let markerName = "seeds.json"
    public static let tableName = "phase-centres.md"
    public static let csvName = "phase-centres.csv"
    public static let pageName = "index.html"

    public struct Result: Sendable {
        public var files: [URL] = []
        public var warnings: [String] = []
        public var table = ""
    }

    /// `runs`: (directory, the name tables use). Refuses an output folder that holds anything
    /// but an earlier seeds report (no seeds.json and not empty).
    public static func build(runs: [(url: URL, name: String)], out: URL, png: Bool = true) throws -> Result {
        guard !runs.isEmpty else { throw GrokError("give at least one run directory") }
        let loaded = try runs.map { try SeedRun.load($0.url, name: $0.name) }
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: out.path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw GrokError("\(out.path) exists and is not a directory") }
            let contents = (try? fm.contentsOfDirectory(atPath: out.path)) ?? []
            if !contents.isEmpty && !contents.contains(markerName) {
                throw GrokError("\(out.path) is not empty and holds no \(markerName): not writing into it (choose another --out)")
            }
        }
        let figDir = out.appendingPathComponent("figures")
        do { try fm.createDirectory(at: figDir, withIntermediateDirectories: true) } catch {
            throw GrokError("cannot create \(figDir.path): \(error.localizedDescription)")
        }
        var result = Result()
        let groups = SeedGroup.group(loaded)
        for g in groups where g.runs.count > 1 {
            let seeds = g.runs.map(\.seed)
            if Set(seeds).count < seeds.count { result.warnings.append("\(g.label): two runs share a seed (\(g.runs.map(\.name).joined(separator: ", ")))") }
        }
        var rendered: [(ReportFigure, String)] = []
        var pngWarned = false
        for fig in SeedFigures(groups: groups).build() {
            let svg = fig.chart.svg()
            let svgURL = figDir.appendingPathComponent(fig.fileStem + ".svg")
            try AtomicFile.write(svg, to: svgURL)
            result.files.append(svgURL)
            if png {
                switch PNGRenderer.render(svg: svgURL, to: figDir.appendingPathComponent(fig.fileStem + ".png")) {
                case .written(let u): result.files.append(u)
                case .skipped(let why): if !pngWarned { result.warnings.append(why); pngWarned = true }
                }
            }
            rendered.append((fig, svg))
        }
        let table = PhaseCentreTable(groups: groups)
        result.table = table.markdown
        for (name, text) in [(tableName, table.markdown), (csvName, table.csv), (pageName, page(groups, rendered, table))] {
            let url = out.appendingPathComponent(name)
            try AtomicFile.write(text, to: url)
            result.files.append(url)
        }
        let marker: [String: Any] = ["format": "groklab-seeds", "runs": runs.map { $0.name },
                                     "groups": groups.map { ["label": $0.label, "runs": $0.runs.map(\.name)] }]
        let data = try JSONSerialization.data(withJSONObject: marker, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try AtomicFile.write(data + Data("\n".utf8), to: out.appendingPathComponent(markerName))
        return result
    }

    static func page(_ groups: [SeedGroup], _ figures: [(ReportFigure, String)], _ table: PhaseCentreTable) -> String {
        let e = XML.escaped
        var body = "<h1>Runs over seeds</h1>\n<p class=\"sub\">"
        body += groups.map { "\(e($0.label)): " + $0.runs.map { e($0.name) }.joined(separator: ", ") }.joined(separator: "<br/>")
        body += "</p>\n<h2>At the phase centres</h2>\n"
        body += htmlTables(table.markdown)
        body += "<h2>Figures</h2>\n"
        for (fig, svg) in figures {
            let inline = svg.replacingOccurrences(of: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", with: "")
            body += "<figure>\n\(inline)\n<figcaption><b>\(e(fig.title)).</b> \(e(fig.caption))</figcaption>\n"
            body += "<div class=\"files\">figures/\(e(fig.fileStem)).svg</div></figure>\n"
        }
        return """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8"/>
        <title>Runs over seeds</title><style>\(HTMLPage.css)</style></head>
        <body><main>
        \(body)</main></body></html>

        """
    }

    /// The Markdown tables of `PhaseCentreTable.markdown` as HTML (bold lines as headings).
    static func htmlTables(_ markdown: String) -> String {
        let e = XML.escaped
        var out = "", inTable = false
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("|") {
                let cells = line.dropFirst().dropLast().components(separatedBy: " | ").map { $0.trimmingCharacters(in: .whitespaces) }
                if cells.allSatisfy({ $0.allSatisfy { $0 == "-" || $0 == "|" } }) { continue }
                if !inTable { out += "<table>\n<tr>" + cells.map { "<th>\(e($0))</th>" }.joined() + "</tr>\n"; inTable = true; continue }
                out += "<tr>" + cells.map { "<td>\(e($0))</td>" }.joined() + "</tr>\n"
            } else {
                if inTable { out += "</table>\n"; inTable = false }
                if line.hasPrefix("**") { out += "<h3>\(e(line.replacingOccurrences(of: "**", with: "")))</h3>\n" }
            }
        }
        if inTable { out += "</table>\n" }
        return out
    }
}
