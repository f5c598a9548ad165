import Foundation
import GrokCore

/// One swept flag and its values, in the order given on the command line.
public struct SweepAxis: Codable, Sendable, Equatable {
    public var flag: String
    public var values: [String]
    public init(flag: String, values: [String]) { self.flag = flag; self.values = values }
}

/// One cell of the grid: one ordinary `grok-train` run.
public struct SweepCell: Codable, Sendable, Equatable {
    public var index: Int
    /// Readable and unique: "wd=0.01,seed=1" (or "run" for a grid of one).
    public var name: String
    /// The swept flags' values for this cell, in axis order.
    public var values: [String: String]
    /// The grok-train flags of this cell, without --out and --threads (the engine adds them).
    public var arguments: [String]
    /// The run directory, relative to the sweep directory: "runs/<name>".
    public var directory: String

    public init(index: Int, name: String, values: [String: String], arguments: [String]) {
        self.index = index; self.name = name; self.values = values; self.arguments = arguments
        directory = "runs/" + name
    }
}

/// The cross product of every swept flag, plus the flags given one value. Built from the
/// grok-train part of the command line; every syntax problem of every cell is found here,
/// before anything starts, and reported as one line.
public struct SweepGrid: Codable, Sendable, Equatable {
    /// Flags with more than one value, in command-line order.
    public var axes: [SweepAxis]
    /// Flags with one value (and switches), as grok-train arguments.
    public var fixed: [String]

    /// The snapshots a sweep run keeps unless `--keep-snapshots` says otherwise (~N spread in
    /// log(step), plus the first, the last and the accuracy peak).
    public static let defaultKeepSnapshots = 12

    public init(axes: [SweepAxis], fixed: [String]) { self.axes = axes; self.fixed = fixed }

    /// Parses grok-train flags where any sweepable one may hold a comma-separated list.
    public init(arguments: [String]) throws {
        var axes: [SweepAxis] = [], fixed: [String] = []
        var seen: Set<String> = []
        var i = 0
        while i < arguments.count {
            let token = arguments[i]
            guard token.hasPrefix("--"), token.count > 2 else {
                throw GrokError("unexpected argument '\(token)': grok-train flags look like --wd 0,0.01")
            }
            var name = String(token.dropFirst(2)), inline: String? = nil
            if let eq = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: eq)...]); name = String(name[..<eq])
            }
            guard let flag = TrainFlags.find(name) else {
                throw GrokError("unknown flag --\(name) (grok-sweep takes its own flags and grok-train's; see grok-sweep --help)")
            }
            if let why = flag.refused { throw GrokError("--\(name) cannot be given to a sweep: \(why)") }
            guard seen.insert(flag.name).inserted else {
                throw GrokError("--\(flag.name) is given twice (list its values once, comma-separated)")
            }
            guard flag.takesValue else {
                if inline != nil { throw GrokError("--\(name) takes no value") }
                fixed.append("--" + flag.name); i += 1; continue
            }
            var value: String
            if let inline { value = inline } else {
                guard i + 1 < arguments.count, !Self.looksLikeFlag(arguments[i + 1]) else {
                    throw GrokError("--\(name) needs a value")
                }
                value = arguments[i + 1]; i += 1
            }
            i += 1
            let values: [String]
            if flag.kind == .path {
                values = [try Self.absolutePath(value, flag: name)]
            } else if flag.notSweepable != nil || flag.kind == .text {
                // --widths 784,200,10 is one value; --snapshot-dtype f32,f64 is a sweep attempt.
                if let why = flag.notSweepable, flag.kind != .text, value.contains(",") {
                    throw GrokError("--\(name) cannot be swept: \(why)")
                }
                values = [value]
            } else {
                values = value.split(separator: ",", omittingEmptySubsequences: false).map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
            }
            if values.contains(where: \.isEmpty) {
                throw GrokError("--\(name) '\(value)' has an empty value (write a comma-separated list like 0,0.01)")
            }
            var keys: [String: String] = [:]
            for v in values {
                let key = try Self.check(v, flag: flag, given: name)
                if let first = keys[key] {
                    throw GrokError("--\(name) lists the same value twice (\(first) and \(v)): the sweep would have duplicate cells")
                }
                keys[key] = v
            }
            if values.count > 1 {
                if let why = flag.notSweepable { throw GrokError("--\(name) cannot be swept: \(why)") }
                axes.append(SweepAxis(flag: flag.name, values: values))
            } else {
                fixed += ["--" + flag.name, values[0]]
            }
        }
        self.axes = axes; self.fixed = fixed
    }

    /// A path flag's value made absolute against the working directory the sweep is started
    /// from, after checking once that it names an existing folder.
    static func absolutePath(_ value: String, flag: String) throws -> String {
        guard !value.isEmpty else { throw GrokError("--\(flag) needs a folder, got an empty path") }
        let url = URL(fileURLWithPath: value).standardizedFileURL
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else {
            throw GrokError("--\(flag) \(value): no such folder (\(url.path))")
        }
        guard isDir.boolValue else { throw GrokError("--\(flag) \(value) is a file, not a folder") }
        return url.path
    }

    /// "-1", "-1e-3" and "-1,0" are values; "--x" and "-h" are flags.
    static func looksLikeFlag(_ s: String) -> Bool {
        guard s.hasPrefix("-"), let next = s.dropFirst().first else { return false }
        return !(next.isNumber || next == ".")
    }

    /// Checks one value's syntax and returns a key that equal values share (1e-2 and 0.01).
    static func check(_ v: String, flag: TrainFlag, given name: String) throws -> String {
        switch flag.kind {
        case .number:
            guard let d = Double(v), d.isFinite else { throw GrokError("--\(name): '\(v)' is not a number") }
            return "\(d)"
        case .integer:
            guard let n = Int(v.replacingOccurrences(of: "_", with: "")) else {
                throw GrokError("--\(name): '\(v)' is not a whole number")
            }
            return "\(n)"
        case .steps:
            let t = v.replacingOccurrences(of: "_", with: "")
            guard let d = Double(t), d.isFinite, d >= 1, d == d.rounded(), d <= 1e15 else {
                throw GrokError("--\(name): '\(v)' is not a step count like 1e5, 100000 or 100_000")
            }
            return "\(Int(d))"
        case .choice(let words):
            guard words.contains(v) else {
                throw GrokError("--\(name): '\(v)' is not one of \(words.joined(separator: ", "))")
            }
            return v
        case .text, .path, .toggle:
            return v
        }
    }

    /// Every cell, the first axis varying slowest (so the runs of one wd are together).
    public var cells: [SweepCell] {
        var combos: [[String]] = [[]]
        for axis in axes { combos = combos.flatMap { c in axis.values.map { c + [$0] } } }
        return combos.enumerated().map { (index, combo) in
            var args = fixed, values: [String: String] = [:]
            var parts: [String] = []
            for (axis, v) in zip(axes, combo) {
                args += ["--" + axis.flag, v]
                values[axis.flag] = v
                parts.append("\(axis.flag)=\(Self.pathSafe(v))")
            }
            if !fixed.contains("--keep-snapshots") { args += ["--keep-snapshots", String(Self.defaultKeepSnapshots)] }
            return SweepCell(index: index, name: parts.isEmpty ? "run" : parts.joined(separator: ","),
                             values: values, arguments: args)
        }
    }

    public var cellCount: Int { axes.reduce(1) { $0 * $1.values.count } }

    /// A short tag for default sweep-directory names: "omnigrok-wd-seed".
    public var tag: String {
        var parts: [String] = []
        if let i = fixed.firstIndex(of: "--preset"), i + 1 < fixed.count { parts.append(fixed[i + 1]) }
        parts += axes.map(\.flag)
        return parts.isEmpty ? "sweep" : parts.joined(separator: "-")
    }

    static func pathSafe(_ v: String) -> String {
        String(v.map { $0 == "/" || $0 == " " ? "_" : $0 })
    }
}
