/// An error a user can act on: `description` is one line that names the problem (the file,
/// the flag, the step). Tools print it after "error: " and exit non-zero; nothing traps.
///
/// `exitCode` tells a script why: 64 (EX_USAGE, as the argument parser's own errors) when the
/// command line asked for something invalid (a value out of range, flags that do not go
/// together), 1 when a valid request failed (a missing file, a diverged run).
public struct GrokError: Error, CustomStringConvertible, Equatable, Sendable {
    public static let usageExitCode: Int32 = 64

    public let message: String
    public let exitCode: Int32
    public init(_ message: String, exitCode: Int32 = 1) { self.message = message; self.exitCode = exitCode }
    public var description: String { message }

    /// An invalid command line (exit 64).
    public static func usage(_ message: String) -> GrokError { GrokError(message, exitCode: usageExitCode) }

    public var isUsage: Bool { exitCode == Self.usageExitCode }
}

/// Runs the part of a tool that turns its flags into settings: every `GrokError` thrown there
/// is a problem with the command line, so it leaves with the usage exit code (64).
public func interpretingFlags<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as GrokError { throw GrokError.usage(e.message) }
}

/// A Double read from a file as an Int without trapping: NaN is 0, out-of-range values clamp.
/// No value in an input file may crash a tool.
@inlinable
public func saturatingInt(_ x: Double) -> Int {
    guard x.isFinite else { return x.isNaN ? 0 : (x > 0 ? Int.max : Int.min) }
    if x >= 9.2e18 { return Int.max }
    if x <= -9.2e18 { return Int.min }
    return Int(x)
}
