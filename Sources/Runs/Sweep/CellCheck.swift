import Foundation
import GrokCore

/// Checks every cell with `grok-train --check` (grok-train's own parser and validation, and the
/// data, without writing anything) before any run starts, and returns each cell's resolved
/// settings. One bad cell is one error; two cells that resolve to the same run are another.
public enum CellCheck {
    public static func run(_ cells: [SweepCell], train: URL, jobs: Int) throws -> [String: Data] {
        // In chunks of `jobs` processes: each prints a few kB, far below a pipe's buffer, so
        // waiting for one before reading another's output cannot deadlock.
        var results: [Int: (status: Int32, out: Data, err: Data)] = [:]
        var start = 0
        while start < cells.count {
            let chunk = cells[start..<min(cells.count, start + max(1, jobs))]
            let started = chunk.map { (cell: $0, p: launch($0, train: train)) }
            for s in started { results[s.cell.index] = collect(s.p) }
            start += chunk.count
        }
        var configs: [String: Data] = [:]
        var seen: [Data: String] = [:]
        for cell in cells {
            let r = results[cell.index]!
            guard r.status == 0 else {
                let line = String(decoding: r.err, as: UTF8.self).split(separator: "\n").last { $0.hasPrefix("error: ") }
                    .map { String($0.dropFirst(7)) } ?? "grok-train --check exited with \(r.status)"
                // grok-train's usage errors (a bad value in the grid) stay usage errors.
                throw GrokError("cell \(cell.name): \(line) (nothing was started)", exitCode: r.status == GrokError.usageExitCode ? r.status : 1)
            }
            // The preset's name is a label, not a setting: paper with omnigrok's values is omnigrok.
            let settings = withoutPreset(r.out)
            if let other = seen[settings] {
                throw GrokError("cells \(other) and \(cell.name) would train the same run (duplicate cells; nothing was started)")
            }
            seen[settings] = cell.name
            configs[cell.name] = r.out
        }
        return configs
    }

    static func withoutPreset(_ json: Data) -> Data {
        guard var d = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] else { return json }
        d["preset"] = nil
        return (try? JSONSerialization.data(withJSONObject: d, options: [.sortedKeys])) ?? json
    }

    static func launch(_ cell: SweepCell, train: URL) -> (Process, Pipe, Pipe)? {
        let p = Process()
        p.executableURL = train
        p.arguments = cell.arguments + ["--check", "--threads", "1"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        return (p, out, err)
    }

    static func collect(_ launched: (Process, Pipe, Pipe)?) -> (Int32, Data, Data) {
        guard let (p, out, err) = launched else { return (127, Data(), Data("error: cannot start grok-train".utf8)) }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, o, e)
    }
}
