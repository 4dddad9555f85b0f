/// A configured token that may act at some windows only (`[api]
/// window_tokens`): the business system of one window cannot open, cancel
/// or log in at another.
public struct WindowToken: Sendable, Equatable {
    public var token: String
    public var windows: Set<String>

    public init(token: String, windows: Set<String>) {
        self.token = token
        self.windows = windows
    }
}

/// The windows a request may act on (decided by `AccessPolicy.scope`).
public enum AccessScope: Sendable, Equatable {
    case all
    case windows(Set<String>)

    public func allows(_ windowCode: String) -> Bool {
        switch self {
        case .all: true
        case .windows(let windows): windows.contains(windowCode)
        }
    }

    /// 403 `window-not-allowed` unless the scope covers `windowCode`.
    public func require(_ windowCode: String) throws(APIError) {
        guard allows(windowCode) else {
            throw APIError(403, "window-not-allowed", "this token may act at its own windows only, not at \(windowCode)")
        }
    }
}
