/// `[api]`: the local counter API for the windows' business systems
/// (docs/api.md). Served only when the section is present and not disabled.
public struct APISection: Sendable, Equatable {
    public var enabled = false
    public var socket = "/run/evald/api.sock"
    /// The socket's group; members may call the API.
    public var socketGroup = "evald-api"
    /// Loopback `host:port` for browsers; nil: Unix socket only.
    public var listen: HostAndPort?
    /// The bearer token for TCP: this file, else the systemd credential.
    public var tokenFile: String?
    public var tokenCredential = "api-token"
    /// Origins (scheme://host[:port]) whose pages may call the API.
    public var allowedOrigins: [String] = []
    public var maxBodyBytes = 16 * 1024
    public var opensPerSecond = 10
    public var openBurst = 20

    public init() {}
}
