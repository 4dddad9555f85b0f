import EvalCore
import Foundation

/// Everything `evald.toml` says, typed and validated.
///
/// Each section maps onto one module's configuration (see
/// `AgentConfiguration+Modules.swift`); this type stays the single place where
/// the file's names live, so a renamed key is one edit here and in the docs.
public struct AgentConfiguration: Sendable, Equatable {
    public var agent: AgentSection
    public var queue: QueueSection
    public var platform: PlatformSection
    public var windows: [WindowSection]
    public var devices: DevicesSection
    public var sessions: SessionsSection
    public var alert: AlertSection
    public var api: APISection = APISection()
    public var metrics: MetricsSection = MetricsSection()
    public var report: ReportSection = ReportSection()

    /// The file this configuration came from (for messages and reloads).
    public var sourcePath: String?

    public init(
        agent: AgentSection = .init(),
        queue: QueueSection = .init(),
        platform: PlatformSection = .init(),
        windows: [WindowSection] = [],
        devices: DevicesSection = .init(),
        sessions: SessionsSection = .init(),
        alert: AlertSection = .init(),
        sourcePath: String? = nil
    ) {
        self.agent = agent
        self.queue = queue
        self.platform = platform
        self.windows = windows
        self.devices = devices
        self.sessions = sessions
        self.alert = alert
        self.sourcePath = sourcePath
    }

    public static let defaultPath = "/etc/evald/evald.toml"
}

/// `[agent]`: where the daemon keeps its state and how it reports.
public struct AgentSection: Sendable, Equatable {
    public var stateDirectory: String = "/var/lib/evald"
    /// Defaults to `<state_dir>/evald.lock`; the lock guards the queue file.
    public var lockFile: String?
    public var logLevel: LogLevelName = .info
    /// `host:port` for Prometheus text metrics; nil disables the endpoint.
    public var metricsListen: HostAndPort? = HostAndPort(host: "127.0.0.1", port: 9464)
    /// Defaults to `<state_dir>/status.json`; evalctl reads it.
    public var statusFile: String?
    /// `status_interval_seconds`: still accepted so older files load, but unused:
    /// the status file is written on change only (an idle agent sleeps), and
    /// evalctl tells a live daemon by its instance lock.
    public var statusIntervalSeconds: Int = 15

    public init() {}

    public var resolvedLockFile: String { lockFile ?? (stateDirectory as NSString).appendingPathComponent("evald.lock") }
    public var resolvedStatusFile: String { statusFile ?? (stateDirectory as NSString).appendingPathComponent("status.json") }
}

/// swift-log levels, by the names an operator writes.
public enum LogLevelName: String, Sendable, Equatable, CaseIterable {
    case trace, debug, info, notice, warning, error, critical
}

public struct HostAndPort: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `127.0.0.1:9464`, `[::1]:9464` or `localhost:9464`.
    public init?(parsing text: String) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (0...65535).contains(port) else { return nil }
        self.host = String(host)
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Metrics must never be exposed beyond the machine by accident.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// `[queue]`: the crash-safe SQLite queue.
public struct QueueSection: Sendable, Equatable {
    /// Defaults to `<state_dir>/queue.db`.
    public var path: String?
    public var maxPendingRecords: Int = 1_000_000
    public var maxPendingBytes: Int = 2 * 1024 * 1024 * 1024
    public var minFreeBytes: Int = 64 * 1024 * 1024
    public var deliveredRetentionDays: Int = 90
    public var personalDataRetentionDays: Int = 30
    public var undeliveredPersonalDataRetentionDays: Int = 90
    public var badReviewIdentityMaxDays: Int = 180
    public var quarantineRetentionDays: Int = 90

    public init() {}

    public func resolvedPath(stateDirectory: String) -> String {
        path ?? (stateDirectory as NSString).appendingPathComponent("queue.db")
    }
}

/// Which way round the platform counts satisfaction (DOMAIN.md: GB/T 39046 A.8 differs).
public enum SatisfactionScaleName: String, Sendable, Equatable {
    case fiveIsBest = "five-is-best"
    case oneIsBest = "one-is-best"
}

/// `[platform]`: the provincial platform the uplink forwards to.
public struct PlatformSection: Sendable, Equatable {
    public var adapter: String = "evald-json/1"
    public var baseURL: String = ""
    public var appKey: String = ""
    /// A file holding the app secret; under systemd the unit passes it with
    /// `LoadCredential=app-secret:…` and this stays unset.
    public var appSecretFile: String?
    /// The systemd credential name looked up in `$CREDENTIALS_DIRECTORY`.
    public var appSecretCredential: String = "app-secret"
    public var caFile: String?
    public var clientCertificateFile: String?
    public var clientKeyFile: String?
    public var connectTimeoutMillis: Int = 5_000
    public var requestTimeoutMillis: Int = 15_000
    public var batchSize: Int = 100
    public var maxInFlightRequests: Int = 2
    public var backoffBaseMillis: Int = 500
    public var backoffCapMillis: Int = 300_000
    public var satisfactionScale: SatisfactionScaleName = .fiveIsBest
    /// Remaps our channel codes to the province's (`"5" = 6`).
    public var pfMap: [Int: Int] = [:]
    /// `uncertain_time`: what becomes of an evaluation made in an earlier
    /// boot while the clock was not trusted (no re-dating possible): `hold`
    /// it for the operator (default) or `send` it as stamped.
    public var uncertainTime: AssessTimeCheck.UncertainPolicy = .hold

    public init() {}
}

/// `[[window]]`: one service window (窗口) and the devices bound to it.
public struct WindowSection: Sendable, Equatable {
    public var areaCode: String
    public var deptCode: String?
    public var deptName: String?
    public var hallCode: String?
    public var windowCode: String
    public var pf: Int = 5
    public var taskCode: String?
    public var taskName: String?
    /// The staff rated when nobody has scanned a badge.
    public var staff: [StaffEntry] = []
    /// Device ids served by this window: a USB serial number, else a port path
    /// such as `1-1.2`; `simulated-keypad` binds the simulated keypad.
    public var devices: [String] = []
    /// The national fields this window's evaluations carry unless the case
    /// gives its own (`version`, `evaversion`, `task_type`, `promisetime`, `data_source`).
    public var national = NationalFields()
    /// The keypad reason step for bad reviews (nil: none).
    public var reasonStep: ReasonStep?

    public init(areaCode: String, windowCode: String) {
        self.areaCode = areaCode
        self.windowCode = windowCode
    }
}

public struct StaffEntry: Sendable, Equatable {
    public var loginName: String
    public var name: String

    public init(loginName: String, name: String) {
        self.loginName = loginName
        self.name = name
    }
}

/// `[devices]`: where keypads and scanners come from.
public struct DevicesSection: Sendable, Equatable {
    public var profileDirectory: String = "/etc/evald/profiles.d"
    /// `""`/absent: no simulated keypad; `"stdin"`; or a FIFO path.
    public var simulatedKeypad: String?
    /// Real hardware backends; the demo and tests turn them off.
    public var useEvdev: Bool = true
    public var useLibUSB: Bool = true
    public var useHidraw: Bool = true
    /// `serial_ports = [{ path = "/dev/ttyS1", profile = "…" }]`: serial ports
    /// udev cannot match by VID:PID (built-in UARTs, stable links); see docs/devices.md.
    public var serialPorts: [SerialPortSetting] = []

    public init() {}

    public var simulatedKeypadIsStdin: Bool { simulatedKeypad == "stdin" }

    /// The device id of the simulated keypad, for `[[window]] devices`.
    public static let simulatedKeypadId = "simulated-keypad"
}

/// One `[devices] serial_ports` entry.
public struct SerialPortSetting: Sendable, Equatable {
    public var path: String
    public var profile: String
    public var reopenMillis: Int = 1_000

    public init(path: String, profile: String, reopenMillis: Int = 1_000) {
        self.path = path
        self.profile = profile
        self.reopenMillis = reopenMillis
    }
}

/// `[sessions]`: the counter-session rules (one service, one evaluation).
public struct SessionsSection: Sendable, Equatable {
    public var debounceMillis: Int = 50
    public var minIntervalMillis: Int = 2_000
    /// How long a citizen identity with no case to rate waits for one (rule 6).
    public var identityBindSeconds: Int = 60
    public var defaultRatings: Bool = true
    public var calendarDirectory: String = "/usr/share/evald/calendars"
    /// Local `<year>.json` files that replace the same year in `calendarDirectory`.
    public var localCalendarDirectory: String = "/etc/evald/calendars"
    public var scanRulesFile: String = "/etc/evald/scan-rules.json"
    /// The hall's key for signed scan rules and `evalctl codes` (unset: no rule may be signed).
    public var codeKeyFile: String?
    /// The `evalDetail` reason table (docs/api.md, "Reasons"); when the
    /// default file is absent, the national codes apply (labels for 213, 214 only).
    public var reasonCodesFile: String = SessionsSection.defaultReasonCodesFile
    public static let defaultReasonCodesFile = "/etc/evald/reason-codes.json"

    public init() {}
}

/// `[alert]`: the local bad-review alert.
public struct AlertSection: Sendable, Equatable {
    /// argv of the command; the evaluation is written to its stdin as JSON.
    public var command: [String] = []
    public var timeoutMillis: Int = 10_000
    /// Personal data stays masked in the alert unless the operator opts in.
    public var revealPersonalData: Bool = false
    /// A rectification deadline this many working days away (or fewer) is "near".
    public var deadlineNearWorkingDays: Int = 3

    public init() {}
}
