import Foundation

/// The name of a snapshot file, snapshots/step-<10 digits>.safetensors: zero-padded so that
/// a directory listing sorts by step. The one place that formats or parses it.
public enum SnapshotName {
    static let prefix = "step-"
    static let suffix = ".safetensors"

    /// "step-0000001234.safetensors" for step 1234 (more digits when the step needs them).
    public static func fileName(step: Int) -> String {
        stem(step: step) + suffix
    }

    /// "step-0000001234": the name without its extension (grok-analyze names chart files so).
    public static func stem(step: Int) -> String {
        let digits = String(step)
        return prefix + String(repeating: "0", count: max(0, 10 - digits.count)) + digits
    }

    /// The step of a snapshot file name; nil for any other name (a temporary file, a
    /// foreign file, a negative or non-decimal step).
    public static func step(of name: String) -> Int? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        let digits = name.dropFirst(prefix.count).dropLast(suffix.count)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(digits)
    }
}

extension RunDirectory {
    /// The snapshot files in snapshots/, ascending by step (empty when there is no folder).
    public func snapshots() -> [(step: Int, url: URL)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: snapshotsURL.path)) ?? []
        return names.compactMap { name in SnapshotName.step(of: name).map { ($0, snapshotsURL.appendingPathComponent(name)) } }
            .sorted { $0.step < $1.step }
    }

    /// The steps of the snapshot files, ascending.
    public func snapshotSteps() -> [Int] { snapshots().map(\.step) }
}
