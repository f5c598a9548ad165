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

    /// Whether some process holds the lock of `directory` now: nil when it has no lock file
    /// (never locked, or written by an older GrokLab). For readers that must know whether a
    /// run is still going (grok-report --watch); the probe holds a shared lock for an instant.
    public static func isHeld(directory: URL) -> Bool? {
        let path = directory.appendingPathComponent(fileName).path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard flock(fd, LOCK_SH | LOCK_NB) == 0 else { return errno == EWOULDBLOCK ? true : nil }
        flock(fd, LOCK_UN)
        return false
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
