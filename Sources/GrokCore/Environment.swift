import Foundation

/// Machine facts the tools report or act on.
public enum MachineInfo {
    /// CPU feature flags from /proc/cpuinfo (Linux); empty when unreadable.
    public static let cpuFlags: Set<String> = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return [] }
        for line in text.split(separator: "\n") where line.hasPrefix("flags") {
            if let colon = line.firstIndex(of: ":") {
                return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
            }
        }
        return []
    }()

    public static var coreCount: Int { ProcessInfo.processInfo.activeProcessorCount }
}

extension MachineInfo {
    /// The memory this process may use, in bytes: the machine's RAM (/proc/meminfo MemTotal),
    /// or the cgroup's limit when that is lower (a container, a Slurm task). nil when unknown.
    public static let memoryBytes: Double? = {
        var best: Double?
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
           let kb = Double(line.split(separator: " ").dropFirst().first ?? "") {
            best = kb * 1024
        }
        for limitFile in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            guard let text = try? String(contentsOfFile: limitFile, encoding: .utf8),
                  let limit = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)), limit > 0 else { continue }
            if limit < (best ?? .infinity) { best = limit }
        }
        return best
    }()

    /// "1.5 GB", "640 MB": a byte count for an error message.
    public static func bytesText(_ bytes: Double) -> String {
        if bytes >= 1e12 { return String(format: "%.3g TB", bytes / 1e12) }
        if bytes >= 1e9 { return String(format: "%.3g GB", bytes / 1e9) }
        return String(format: "%.3g MB", bytes / 1e6)
    }

    /// Refuses, in one line, a request whose estimated memory exceeds what this process may
    /// use: checked before anything is allocated, so a huge size is an error, not a crash.
    /// `what` names the request ("--widths 784,100000000,10").
    public static func checkMemory(_ bytes: Double, for what: String) throws {
        guard let available = memoryBytes else {
            // Unknown machine: still refuse what no machine has (beyond 2^50 bytes, 1 PB).
            if !(bytes < 1e15) { throw GrokError.usage("\(what) needs about \(bytesText(bytes)) of memory") }
            return
        }
        guard bytes < available else {
            throw GrokError.usage("\(what) needs about \(bytesText(bytes)) of memory; this machine has \(bytesText(available))")
        }
    }
}
