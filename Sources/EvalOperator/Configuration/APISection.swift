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
    /// Cancels, staff logins and logouts per window (the other mutating routes).
    public var writesPerSecond = 10
    public var writeBurst = 20
    /// Connections open at once, on the socket and on the port each.
    public var maxConnections = 128
    public var idleTimeoutSeconds = 60
    public var headerTimeoutSeconds = 10
    /// `GET /v1/events` streams open at once.
    public var maxEventStreams = 64
    /// Host names accepted in TCP requests' `Host` besides loopback.
    public var allowedHosts: [String] = []
    /// Tokens that may act at their own windows only.
    public var windowTokens: [WindowTokenEntry] = []
    /// How long after `rated` a page may send the reasons (`POST
    /// /v1/services/{id}/detail`), the evaluation held meanwhile; 0: none awaited.
    public var detailWindowSeconds = 0
    /// How many days after a case's first rating a 追评 is taken (`POST /v1/follow-ups`); 0: none.
    public var followUpDays = 0

    public init() {}
}

/// One `[api] window_tokens` entry: the file holding the token, its windows.
public struct WindowTokenEntry: Sendable, Equatable {
    public var tokenFile: String
    public var windows: [String]

    public init(tokenFile: String, windows: [String]) {
        self.tokenFile = tokenFile
        self.windows = windows
    }
}

/// `[metrics]`: the limits of the `/metrics` listener (`[agent] metrics_listen`).
public struct MetricsSection: Sendable, Equatable {
    public var maxConnections = 16
    public var idleTimeoutSeconds = 120
    public var headerTimeoutSeconds = 10

    public init() {}
}
