import Foundation
import GrokCore
import RunFiles
import Training

/// Where grok-train is: next to the running executable (grok-sweep), as `swift build` and an
/// install put them.
public enum TrainTool {
    public static func locate() throws -> URL {
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let url = me.deletingLastPathComponent().appendingPathComponent("grok-train")
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw GrokError("grok-train is not next to grok-sweep (\(url.path)); build both with swift build -c release")
        }
        return url
    }
}

/// What to do with a cell when a sweep (re)starts.
public enum CellPlan: Equatable, Sendable {
    case skip(CellState.Status)
    /// `overwrite`: the run directory exists but holds nothing worth keeping (no checkpoint yet).
    case fresh(overwrite: Bool)
    case resume
}

/// One cell's `grok-train` child: started with its output appended to logs/<cell>.log, and
/// read back as a `CellState` when it exits.
public final class CellProcess: @unchecked Sendable {
    public let cell: SweepCell
    public let process = Process()
    public let startedAt = Date()
    let sweep: SweepDirectory
    var state: CellState

    /// Decides from the cell's files alone (so it works after a SIGKILL of everything). A run
    /// that completed is done whatever its state file says (its grok-sweep may have been killed
    /// before it could record that). A run that lost its checkpoint but holds results is
    /// resumed, so grok-train refuses to start it over them (the cell fails, saying why).
    public static func plan(_ cell: SweepCell, in sweep: SweepDirectory) -> CellPlan {
        let run = sweep.runURL(cell), fm = FileManager.default
        let state = CellState.read(sweep.stateURL(cell))
        if let s = state?.status, s == .done || s == .diverged { return .skip(s) }
        let files = RunDirectory(run)
        if files.isRunDirectory {
            if files.hasCompleted { return .skip(.done) }
            if fm.fileExists(atPath: files.checkpointURL.path) { return .resume }
            let kept = files.resultsBeyondStart()
            if kept.evaluations + kept.snapshots > 0 { return .resume }
        }
        let contents = (try? fm.contentsOfDirectory(atPath: run.path)) ?? []
        return .fresh(overwrite: !contents.isEmpty)
    }

    /// Records a run found completed while its state says otherwise, so the state files agree
    /// with the runs.
    static func recordCompletion(_ cell: SweepCell, in sweep: SweepDirectory) {
        let url = sweep.stateURL(cell)
        guard CellState.read(url)?.status != .done else { return }
        var s = CellState(status: .done, exitCode: 0, host: CellState.hostName, attempts: CellState.read(url)?.attempts ?? 1,
                          message: "found completed in its run directory")
        s.ended = CellState.now()
        try? s.write(url)
    }

    /// The grok-train arguments for a plan.
    public static func arguments(_ cell: SweepCell, plan: CellPlan, in sweep: SweepDirectory) -> [String] {
        let out = sweep.runURL(cell).path
        switch plan {
        case .resume: return ["--resume", "--out", out, "--threads", "1"]
        case .fresh(let overwrite): return cell.arguments + ["--out", out, "--threads", "1"] + (overwrite ? ["--force"] : [])
        case .skip: return []
        }
    }

    /// Starts the child; `previous` is the cell's last state (for the attempt count).
    public init(cell: SweepCell, plan: CellPlan, sweep: SweepDirectory, train: URL) throws {
        self.cell = cell
        self.sweep = sweep
        let previous = CellState.read(sweep.stateURL(cell))
        state = CellState(status: .running, exitCode: nil, pid: nil, host: CellState.hostName,
                          started: CellState.now(), ended: nil, attempts: (previous?.attempts ?? 0) + 1, message: nil)
        let logURL = sweep.logURL(cell)
        if !FileManager.default.fileExists(atPath: logURL.path) {
            _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        }
        guard let log = FileHandle(forWritingAtPath: logURL.path) else {
            throw GrokError("cannot write \(logURL.path)")
        }
        log.seekToEndOfFile()
        let args = Self.arguments(cell, plan: plan, in: sweep)
        log.write(Data("--- \(CellState.now()) \(plan == .resume ? "resuming" : "starting"): grok-train \(args.joined(separator: " "))\n".utf8))
        process.executableURL = train
        process.arguments = args
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw GrokError("cannot start \(train.path): \(error.localizedDescription)")
        }
        try? log.close()
        state.pid = process.processIdentifier
        try state.write(sweep.stateURL(cell))
    }

    public var isRunning: Bool { process.isRunning }

    /// Asks the child to stop at the next step (it writes its checkpoint first).
    public func stop() { if process.isRunning { kill(process.processIdentifier, SIGTERM) } }

    /// After exit: the cell's final state, also written to state/<cell>.json.
    @discardableResult
    public func finish() throws -> CellState {
        process.waitUntilExit()
        let code = process.terminationStatus
        let signalled = process.terminationReason == .uncaughtSignal
        state.ended = CellState.now()
        state.exitCode = signalled ? 128 + code : code
        let lastError = Self.lastErrorLine(sweep.logURL(cell))
        if code == 0 && !signalled {
            state.status = .done
        } else if (code == 130 && !signalled) || (signalled && (code == SIGTERM || code == SIGINT)) {
            state.status = .interrupted
        } else if let e = lastError, e.contains("diverged") {
            state.status = .diverged
        } else {
            state.status = .failed
        }
        state.message = state.status == .done || state.status == .interrupted ? nil : lastError
        try state.write(sweep.stateURL(cell))
        return state
    }

    /// The last "error: ..." line grok-train wrote (it says every failure in one such line).
    static func lastErrorLine(_ log: URL) -> String? {
        guard let data = FileManager.default.contents(atPath: log.path) else { return nil }
        let tail = String(decoding: data.suffix(8192), as: UTF8.self)
        return tail.split(separator: "\n").last { $0.hasPrefix("error: ") }.map { String($0.dropFirst(7)) }
    }
}

/// SIGINT/SIGTERM to grok-sweep: stop starting cells and forward SIGTERM to the children, which
/// checkpoint and exit; then grok-sweep exits.
public enum SweepStop {
    nonisolated(unsafe) static var requested: sig_atomic_t = 0
    public static var isRequested: Bool { requested != 0 }
    public static func install() {
        let handler: @convention(c) (Int32) -> Void = { sig in SweepStop.requested = sig }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }
    public static func request() { requested = SIGTERM }
    public static func reset() { requested = 0 }
}

/// A grok-train left running by a killed grok-sweep (its pid in the cell's state, its run
/// directory on its command line): asked to stop, and waited for, before the cell is resumed.
enum Orphans {
    static func stopLeftover(_ state: CellState?, runDirectory: URL, timeout: Double = 120) -> Bool {
        guard let s = state, s.status == .running, let pid = s.pid, s.host == CellState.hostName,
              let cmd = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        let text = String(decoding: cmd.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
        guard text.contains("grok-train"), text.contains(runDirectory.path) else { return false }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(timeout)
        while isAlive(pid), Date() < deadline { usleep(100_000) }
        return true
    }

    /// Alive and not a zombie (an orphan's parent may never reap it here: PID 1 is no init).
    static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return false }
        let text = String(decoding: stat, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return true }
        return text[text.index(after: close)...].trimmingCharacters(in: .whitespaces).first != "Z"
    }
}
