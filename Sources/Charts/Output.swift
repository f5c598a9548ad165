import Foundation
import GrokCore

/// What happened to a PNG that was asked for: charts never fail a run over a missing PNG.
public enum PNGStatus: Sendable, Equatable {
    case written(URL)
    case skipped(String)

    public var message: String? {
        if case .skipped(let m) = self { return m }
        return nil
    }
}

extension Chart {
    /// Writes the SVG atomically (temp file + rename), so a browser refreshing a live report
    /// never sees half a figure.
    public func writeSVG(to url: URL) throws {
        try AtomicFile.write(svg(), to: url)
    }

    /// Writes `<base>.svg` and, when `rsvg-convert` is on PATH, `<base>.png`.
    public func write(svg svgURL: URL, png pngURL: URL?, zoom: Double = 1) throws -> PNGStatus {
        try writeSVG(to: svgURL)
        guard let pngURL else { return .skipped("PNG not requested") }
        return PNGRenderer.render(svg: svgURL, to: pngURL, zoom: zoom)
    }
}

/// Converts SVG files to PNG through Debian's `rsvg-convert` (package librsvg2-bin).
public enum PNGRenderer {
    /// The first executable `rsvg-convert` on PATH, nil when none.
    public static func findConverter(path: String? = ProcessInfo.processInfo.environment["PATH"]) -> URL? {
        for dir in (path ?? "").split(separator: ":") where !dir.isEmpty {
            let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent("rsvg-convert")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// Renders `svg` into `png` (written to a temp name, then renamed). Never throws: a missing
    /// converter or a failed conversion comes back as `.skipped(reason)`.
    public static func render(svg: URL, to png: URL, zoom: Double = 1,
                              converter: URL? = findConverter()) -> PNGStatus {
        guard let converter else { return .skipped("rsvg-convert not found; PNG skipped") }
        let tmp = png.deletingLastPathComponent()
            .appendingPathComponent(".\(png.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).png")
        let proc = Process()
        proc.executableURL = converter
        proc.arguments = ["--zoom", String(zoom), "--format", "png", "--background-color", "white",
                          "--output", tmp.path, svg.path]
        let errPipe = Pipe()
        proc.standardError = errPipe
        proc.standardOutput = FileHandle.nullDevice
        do { try proc.run() } catch {
            return .skipped("rsvg-convert could not start (\(error.localizedDescription)); PNG skipped")
        }
        let errData = errPipe.fileHandleForReading.readDataToEndOfFile()
        proc.waitUntilExit()
        guard proc.terminationStatus == 0 else {
            try? FileManager.default.removeItem(at: tmp)
            let first = String(decoding: errData, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
            return .skipped("rsvg-convert failed (exit \(proc.terminationStatus)) on \(svg.lastPathComponent): \(first); PNG skipped")
        }
        guard rename(tmp.path, png.path) == 0 else {
            try? FileManager.default.removeItem(at: tmp)
            return .skipped("cannot move PNG into place at \(png.path); PNG skipped")
        }
        return .written(png)
    }
}
