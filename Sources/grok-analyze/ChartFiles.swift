import Foundation
import Charts
import GrokCore
import HTSR
import Report
import RunFiles
import ToolSupport

/// `--charts DIR`: figure 4 (ESD, power-law fit, D curve) and, with --randomize, figure 5
/// (randomized ESD and Marchenko-Pastur fit) for every layer that has eigenvalues. SVGs are
/// written atomically; PNGs too when rsvg-convert is on PATH.
struct ChartFiles {
    let directory: URL
    let randomized: Bool
    let converter: URL?
    private(set) var written: [URL] = []

    init(directory: String, randomized: Bool) throws {
        self.directory = URL(fileURLWithPath: directory)
        self.randomized = randomized
        do { try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true) } catch {
            throw GrokError("--charts \(directory): cannot create the directory: \(error.localizedDescription)")
        }
        converter = PNGRenderer.findConverter()
        if converter == nil { note("note: rsvg-convert not found (Debian package librsvg2-bin): charts are SVG only") }
    }

    mutating func write(_ row: Row) throws {
        let a = row.analysis
        guard !(a.eigenvalues ?? []).isEmpty else { return }
        let s = LayerSpectrum(a, layer: a.name, step: row.source.step)

        let file = row.source.url.deletingPathExtension().lastPathComponent
        let base = row.source.step.map(SnapshotName.stem(step:)) ?? Self.safe(file)
        let title = row.source.step == nil ? "\(file): \(a.name)" : a.name
        try emit(SpectralFigures.esdFigure([s], title: "\(title) ESD and power-law fit"), name: "\(base)-\(Self.safe(a.name))-esd")
        if randomized {
            try emit(SpectralFigures.randomizedFigure([s], title: "\(title) randomized ESD"), name: "\(base)-\(Self.safe(a.name))-randomized")
        }
    }

    private mutating func emit(_ chart: Chart, name: String) throws {
        let svg = directory.appendingPathComponent(name + ".svg")
        do { try chart.writeSVG(to: svg) } catch {
            throw GrokError("--charts: cannot write \(svg.path): \(error)")
        }
        written.append(svg)
        guard let converter else { return }
        let png = directory.appendingPathComponent(name + ".png")
        switch PNGRenderer.render(svg: svg, to: png, converter: converter) {
        case .written(let url): written.append(url)
        case .skipped(let why): note("note: \(why)")
        }
    }

    /// A file-name-safe spelling of a tensor name (names come from untrusted headers).
    static func safe(_ s: String) -> String {
        let kept = s.unicodeScalars.prefix(100).map { u -> Character in
            (u.isASCII && (u.properties.isAlphabetic || ("0"..."9").contains(u) || u == "." || u == "-" || u == "_")) ? Character(u) : "_"
        }
        let out = String(kept)
        return out.isEmpty || out.hasPrefix(".") ? "_" + out : out
    }
}
