import Foundation
import GrokCore

/// How a sweep's runs are executed.
public enum SweepEngine: String, Codable, Sendable, CaseIterable {
    /// Child grok-train processes on this machine.
    case local
    /// A Slurm job array (sweep.sbatch), one task per cell.
    case slurm
}

/// The content of sweep.json: the grid, how it was asked for, and one entry per run.
public struct SweepManifest: Codable, Sendable, Equatable {
    public var format = "groklab-sweep"
    public var version: String
    public var created: String
    public var commandLine: String
    public var engine: SweepEngine
    public var grid: SweepGrid
    public var runs: [SweepCell]
    /// T_grok's threshold for the summary (test accuracy).
    public var grokThreshold: Double

    public init(version: String = GrokLabVersion.string, created: String, commandLine: String,
                engine: SweepEngine, grid: SweepGrid, grokThreshold: Double) {
        self.version = version; self.created = created; self.commandLine = commandLine
        self.engine = engine; self.grid = grid; self.runs = grid.cells; self.grokThreshold = grokThreshold
    }

    /// Two manifests describe the same sweep when their runs are the same (names and flags).
    public func sameGrid(as other: SweepManifest) -> Bool { runs == other.runs }

    enum CodingKeys: String, CodingKey {
        case format, version, created, commandLine = "command_line", engine, grid, runs
        case grokThreshold = "grok_threshold"
    }
}

/// A sweep's folder: sweep.json, runs/<cell>/ (ordinary run directories), configs/<cell>.json
/// (each cell's resolved settings), state/<cell>.json (what the engine saw), logs/, and the
/// summary files. The sweep writes only these; a run directory's files belong to grok-train.
public struct SweepDirectory: Sendable {
    public let url: URL
    public init(_ url: URL) { self.url = url.standardizedFileURL }

    public var manifestURL: URL { url.appendingPathComponent("sweep.json") }
    public var runsURL: URL { url.appendingPathComponent("runs") }
    public var configsURL: URL { url.appendingPathComponent("configs") }
    public var stateURL: URL { url.appendingPathComponent("state") }
    public var logsURL: URL { url.appendingPathComponent(Self.logsName) }
    /// The logs folder's name (the Slurm script writes there relative to the sweep directory).
    public static let logsName = "logs"
    public var summaryCSVURL: URL { url.appendingPathComponent("summary.csv") }
    public var summaryHTMLURL: URL { url.appendingPathComponent("summary.html") }
    public var figuresURL: URL { url.appendingPathComponent("figures") }
    public var jobsURL: URL { url.appendingPathComponent("slurm-jobs.json") }

    public func runURL(_ cell: SweepCell) -> URL { url.appendingPathComponent(cell.directory) }
    public func configURL(_ cell: SweepCell) -> URL { configsURL.appendingPathComponent(cell.name + ".json") }
    public func stateURL(_ cell: SweepCell) -> URL { stateURL.appendingPathComponent(cell.name + ".json") }
    public func logURL(_ cell: SweepCell) -> URL { logsURL.appendingPathComponent(cell.name + ".log") }

    public var exists: Bool { FileManager.default.fileExists(atPath: manifestURL.path) }

    /// Reads sweep.json; a folder without one is not a sweep (one-line error).
    public func readManifest() throws -> SweepManifest {
        guard let data = FileManager.default.contents(atPath: manifestURL.path) else {
            throw GrokError("\(url.path) is not a sweep directory (no sweep.json)")
        }
        do { return try JSONDecoder().decode(SweepManifest.self, from: data) }
        catch { throw GrokError("\(manifestURL.path) is not a valid sweep.json (\(error.localizedDescription))") }
    }

    public func writeManifest(_ m: SweepManifest) throws {
        try AtomicFile.write(try Self.json(m), to: manifestURL)
    }

    /// Creates the folders (one-line error when the place is not writable).
    public func createLayout() throws {
        for dir in [url, runsURL, configsURL, stateURL, logsURL] { try Directories.create(dir, what: "sweep directory") }
        guard access(url.path, W_OK) == 0 else { throw GrokError("sweep directory \(url.path) is not writable") }
    }

    static func json<T: Encodable>(_ value: T) throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try enc.encode(value) + Data("\n".utf8)
    }
}

/// What the engine last saw of one cell, in state/<cell>.json (one writer at a time: the local
/// engine, or the cell's own Slurm task).
public struct CellState: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case running, done, failed, diverged, interrupted
    }
    public var status: Status
    public var exitCode: Int32?
    public var pid: Int32?
    public var host: String?
    public var started: String?
    public var ended: String?
    /// How many times the cell was started (resumes included).
    public var attempts: Int
    /// The last error line of the run, for failed and diverged cells.
    public var message: String?

    public init(status: Status, exitCode: Int32? = nil, pid: Int32? = nil, host: String? = nil,
                started: String? = nil, ended: String? = nil, attempts: Int, message: String? = nil) {
        self.status = status; self.exitCode = exitCode; self.pid = pid; self.host = host
        self.started = started; self.ended = ended; self.attempts = attempts; self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case status, exitCode = "exit_code", pid, host, started, ended, attempts, message
    }

    /// The state in `url`; nil when there is none or it cannot be read (see `load`).
    public static func read(_ url: URL) -> CellState? {
        if case .state(let s) = load(url) { return s }
        return nil
    }

    /// What a state file holds: nothing yet, something unreadable (damaged or hand-edited:
    /// said, never taken for a state), or a state.
    public enum Loaded: Sendable, Equatable {
        case missing
        case unreadable(String)
        case state(CellState)
    }

    public static func load(_ url: URL) -> Loaded {
        guard let d = FileManager.default.contents(atPath: url.path) else { return .missing }
        do { return .state(try JSONDecoder().decode(CellState.self, from: d)) }
        catch { return .unreadable(d.isEmpty ? "empty" : "not a cell state") }
    }

    public func write(_ url: URL) throws { try AtomicFile.write(try SweepDirectory.json(self), to: url) }

    static func now() -> String { ISO8601DateFormatter().string(from: Date()) }

    static var hostName: String { ProcessInfo.processInfo.hostName }
}
