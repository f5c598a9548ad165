import Foundation

/// Creating output folders with a one-line reason when it cannot be done: a path that is a file,
/// a parent that is a file, no permission, a full disk. Foundation's own errors name none of
/// that ("NSCocoaErrorDomain error 512").
public enum Directories {
    /// Creates `url` and its parents; `what` names the folder in the error ("run directory").
    public static func create(_ url: URL, what: String) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: url.path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw GrokError.usage("\(what) \(url.path) exists and is not a directory") }
            return
        }
        // The first ancestor that exists must be a folder.
        var parent = url.deletingLastPathComponent()
        while parent.path != "/", !fm.fileExists(atPath: parent.path, isDirectory: &isDir) {
            parent = parent.deletingLastPathComponent()
        }
        if fm.fileExists(atPath: parent.path, isDirectory: &isDir), !isDir.boolValue {
            throw GrokError.usage("cannot create \(what) \(url.path): \(parent.path) is a file, not a directory")
        }
        do { try fm.createDirectory(at: url, withIntermediateDirectories: true) }
        catch { throw GrokError("cannot create \(what) \(url.path): \(reason(error))") }
    }

    /// The POSIX reason behind a Foundation file error ("Permission denied"), else its text.
    public static func reason(_ error: Error) -> String {
        if let g = error as? GrokError { return g.message }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        if let u = ns.userInfo[NSUnderlyingErrorKey] as? NSError, u.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(u.code)))
        }
        return ns.localizedDescription
    }
}
