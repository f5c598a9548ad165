import Foundation

/// An exclusive, advisory lock on a directory that one process writes (a run directory, a
/// sweep directory): `flock` on a `.lock` file inside it, holding the owner's pid so a refusal
/// can name it. The kernel drops the lock when the process dies (SIGKILL included), so a stale
/// lock file never blocks a later `--resume`. Readers (grok-report on a live run) don't lock.
public final class DirectoryLock: @unchecked Sendable {
    public static let fileName = ".lock"

    public let url: URL
    private var fd: Int32

    /// Takes the lock or throws one line naming the holder, e.g. "runs/x is in use by another
    /// grok-train (pid 4242); wait for it to end or stop it first". `what` names the holder's
    /// kind in that message. The directory must exist.
    public init(directory: URL, holder what: String) throws {
        url = directory.appendingPathComponent(Self.fileName)
        fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw GrokError("cannot lock \(directory.path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.holderPID(fd: fd)
            close(fd)
            fd = -1
            let pid = holder.map { " (pid \($0))" } ?? ""
            throw GrokError("\(directory.path) is in use by another \(what)\(pid); wait for it to end or stop it first")
        }
        // Record our pid for the next contender's message.
        _ = ftruncate(fd, 0)
        let text = "\(getpid())\n"
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    /// What a probe of a directory's lock found.
    public enum Probe: Sendable, Equatable {
        /// Some process holds it now.
        case held
        /// The lock file is there and nobody holds it: its writer has ended.
        case free
        /// No lock file: nobody has written here since locks existed (a writer creates the file
        /// before anything else, so a writer that is still going has one).
        case absent
        /// The file is there but cannot be probed (a filesystem without flock).
        case unknown
    }

    /// Probes the lock of `directory`, for readers that must know whether a run is still going
    /// (grok-report --watch); the probe holds a shared lock for an instant.
    public static func probe(directory: URL) -> Probe {
        let path = directory.appendingPathComponent(fileName).path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return errno == ENOENT ? .absent : .unknown }
        defer { close(fd) }
        guard flock(fd, LOCK_SH | LOCK_NB) == 0 else { return errno == EWOULDBLOCK ? .held : .unknown }
        flock(fd, LOCK_UN)
        return .free
    }

    /// Whether some process holds the lock of `directory` now; nil when that cannot be told
    /// (no lock file, or one that cannot be probed).
    public static func isHeld(directory: URL) -> Bool? {
        switch probe(directory: directory) {
        case .held: return true
        case .free: return false
        case .absent, .unknown: return nil
        }
    }

    /// The pid written by the current holder, if readable.
    private static func holderPID(fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 31, 0) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int32(text)
    }

    /// Releases the lock early (it is also released on deinit and at process exit). The file
    /// stays: removing it would race with a contender that has it open.
    public func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
