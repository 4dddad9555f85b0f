/// Why the agent cannot start (or reload) as configured: a message for the
/// technician, printed and logged as it stands.
public struct DaemonError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
