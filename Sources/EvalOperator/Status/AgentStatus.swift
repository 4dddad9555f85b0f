import EvalCore
import Foundation

/// What the running daemon tells evalctl about itself, written atomically to
/// the status file (`<state_dir>/status.json`).
///
/// Queue counts are not here: evalctl reads them from the queue database
/// itself (read-only), so they are right even when the daemon is stopped.
public struct AgentStatus: Codable, Sendable, Equatable {
    public struct Device: Codable, Sendable, Equatable {
        public var deviceId: String
        public var name: String
        public var windowCode: String?
        public var online: Bool
        public var problem: String?
        /// Issue 25 item 7: since when a bound evaluator is offline (unplugged,
        /// not answering polls; evald's start for one never seen), and how
        /// long it was offline before (seconds, since evald started): "nobody
        /// could rate" next to "nobody rated".
        public var offlineSince: Date?
        public var offlineSeconds: Double?

        public init(deviceId: String, name: String, windowCode: String?, online: Bool, problem: String? = nil) {
            self.deviceId = deviceId
            self.name = name
            self.windowCode = windowCode
            self.online = online
            self.problem = problem
        }
    }

    public var pid: Int32
    public var version: String
    public var startedAt: Date
    public var updatedAt: Date
    /// `starting`, `running`, `reloading`, `stopping`.
    public var phase: String
    public var devices: [Device]
    /// The clock judgement in words (`clock.detail`), kept for readers of older files.
    public var clockState: String
    /// Whether evaluations made now are dated right, and why (nil in files of older versions).
    public var clock: ClockReport?
    public var lastDelivery: Date?
    public var lastError: String?
    public var lastErrorAt: Date?
    /// The platform refuses our credentials (401): the operator must act.
    public var platformAuthFailing: Bool
    public var evaluationsToday: Int
    public var filteredToday: Int
    /// Evaluations (and default ratings) the queue refused since start, and the last reason.
    public var refusals: Int?
    public var lastRefusal: String?
    public var lastRefusalAt: Date?
    /// A damaged queue file found at start, moved aside here (salvage: docs/queue.md).
    public var quarantinedFile: String?
    /// Bound deviceIds that were not attached when evald started and have sent
    /// nothing since (nil in files of older versions).
    public var absentSinceStart: [String]?

    public init(pid: Int32, version: String, startedAt: Date, updatedAt: Date, phase: String = "starting",
                devices: [Device] = [], clockState: String = "unknown", lastDelivery: Date? = nil,
                lastError: String? = nil, lastErrorAt: Date? = nil, platformAuthFailing: Bool = false,
                evaluationsToday: Int = 0, filteredToday: Int = 0) {
        self.pid = pid
        self.version = version
        self.startedAt = startedAt
        self.updatedAt = updatedAt
        self.phase = phase
        self.devices = devices
        self.clockState = clockState
        self.lastDelivery = lastDelivery
        self.lastError = lastError
        self.lastErrorAt = lastErrorAt
        self.platformAuthFailing = platformAuthFailing
        self.evaluationsToday = evaluationsToday
        self.filteredToday = filteredToday
    }

    public var devicesOnline: Int { devices.filter(\.online).count }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys, .prettyPrinted]
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()

    /// Writes via a temporary file and rename, so a reader never sees half a file.
    public func write(to path: String) throws {
        let data = try Self.encoder.encode(self)
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
        try data.write(to: temporary)
        // 0640: the evald group (operators) may read it, nobody else.
        chmod(temporary.path, 0o640)
        if rename(temporary.path, url.path) != 0 {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }

    public static func read(from path: String) throws -> AgentStatus {
        try decoder.decode(AgentStatus.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
