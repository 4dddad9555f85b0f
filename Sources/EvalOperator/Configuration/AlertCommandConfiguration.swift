/// The local bad-review alert (rule 4): a command the technician configures
/// (a script that beeps, pops a notification, sends an SMS through a modem…).
/// It receives one JSON object on stdin per bad review.
public struct AlertCommandConfiguration: Hashable, Sendable {
    /// argv; the first element must be an absolute path. Run directly, never
    /// through a shell, and nothing from a scan is ever part of it.
    public var command: [String]
    /// The command is killed (its whole process group) after this long.
    public var timeout: Duration
    /// Clear-text evaluator identity on stdin. Off by default (rule 6).
    public var includePersonalData: Bool
    /// Alerts waiting for the command beyond this many are dropped (and logged):
    /// a stuck command never backs up into the press path.
    public var backlogLimit: Int

    public init(command: [String], timeout: Duration = .seconds(10), includePersonalData: Bool = false, backlogLimit: Int = 64) {
        self.command = command
        self.timeout = timeout
        self.includePersonalData = includePersonalData
        self.backlogLimit = backlogLimit
    }

    /// Nil when usable, else why not.
    public var problem: String? {
        guard let executable = command.first else { return "alert command is empty" }
        guard executable.hasPrefix("/") else { return "alert command must be an absolute path: \(executable)" }
        guard timeout > .zero else { return "alert timeout must be positive" }
        return nil
    }
}
