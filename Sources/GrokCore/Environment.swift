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
