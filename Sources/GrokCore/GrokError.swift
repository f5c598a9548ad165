/// An error a user can act on: `description` is one line that names the problem (the file,
/// the flag, the step). Tools print it after "error: " and exit non-zero; nothing traps.
public struct GrokError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
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
