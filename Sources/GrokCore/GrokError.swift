/// An error a user can act on: `description` is one line that names the problem (the file,
/// the flag, the step). Tools print it after "error: " and exit non-zero; nothing traps.
public struct GrokError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
