import EvalCore
import Foundation

extension AgentConfiguration {
    /// `[[window]]` → the sessions' window configurations.
    public var windowConfigurations: [WindowConfiguration] {
        windows.map { w in
            WindowConfiguration(
                areaCode: w.areaCode, deptCode: w.deptCode, deptName: w.deptName, hallCode: w.hallCode,
                windowCode: w.windowCode,
                defaultStaff: w.staff.first.map { StaffMember(loginName: $0.loginName, name: $0.name) },
                defaultTaskCode: w.taskCode, defaultTaskName: w.taskName, pf: Channel(rawValue: w.pf),
                national: w.national, reasonStep: w.reasonStep
            )
        }
    }

    /// `[sessions]` → the filtering policy (rule 2).
    public var sessionPolicy: SessionPolicy {
        SessionPolicy(
            debounce: .milliseconds(sessions.debounceMillis),
            anonymousMinimumInterval: .milliseconds(sessions.minIntervalMillis),
            identityBindWindow: .seconds(sessions.identityBindSeconds)
        )
    }

    /// The working-day calendar from `[sessions] calendar_dir`, each year
    /// replaced by its file in `local_calendar_dir` when there is one, with warnings.
    public func workingDayCalendar() -> CalendarDirectory.Loaded {
        CalendarDirectory.load(from: URL(fileURLWithPath: sessions.calendarDirectory),
                               overrides: [URL(fileURLWithPath: sessions.localCalendarDirectory)])
    }

    /// The scan rules from `[sessions] scan_rules_file`, checking signed
    /// rules' codes with the key of `code_key_file`.
    public func scanRules() throws -> ScanRuleSet {
        let path = sessions.scanRulesFile
        var rules: ScanRuleSet
        do {
            rules = try ScanRuleSet.decode(json: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw DaemonError("scan rules \(path): \(error)")
        }
        if let authenticator = try codeAuthenticator() {
            rules.codeAuthenticator = authenticator
        } else if let signed = rules.rules.first(where: \.signed) {
            throw DaemonError("scan rules \(path): rule \(signed.name) is signed, but [sessions] code_key_file is not set")
        }
        return rules
    }

    /// The reason table from `[sessions] reason_codes_file`. The shipped
    /// default path may be absent (an install without it): the national codes
    /// apply. A file named on purpose must exist and be valid.
    public func reasonCatalog() throws -> ReasonCatalog {
        let path = sessions.reasonCodesFile
        if path == SessionsSection.defaultReasonCodesFile, !FileManager.default.fileExists(atPath: path) { return .national }
        do {
            return try ReasonCatalog.decode(json: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw DaemonError("reason codes \(path): \(error)")
        }
    }

    /// The reason table's problems, and each keypad reason step's codes
    /// checked against it (a step offers codes of its own level only).
    public func reasonIssues() -> [ConfigurationIssue] {
        let catalog: ReasonCatalog
        do { catalog = try reasonCatalog() } catch {
            return [ConfigurationIssue(location: "[sessions] reason_codes_file", message: "\(error)")]
        }
        var issues: [ConfigurationIssue] = []
        for (index, window) in windows.enumerated() {
            guard let step = window.reasonStep else { continue }
            for (key, level) in [("reason_codes_dissatisfied", Rating.dissatisfied), ("reason_codes_very_dissatisfied", .veryDissatisfied)] {
                let codes = step.codes(for: level)
                guard !codes.isEmpty else { continue }
                do { _ = try catalog.check(codes, for: level) } catch {
                    issues.append(ConfigurationIssue(location: "[[window]] #\(index + 1) \(key)", message: "\(error)"))
                }
            }
        }
        return issues
    }

    /// The signer and checker of counter codes from `[sessions] code_key_file`, nil when it is not set.
    public func codeAuthenticator() throws -> HMACCodeAuthenticator? {
        guard let file = sessions.codeKeyFile else { return nil }
        do {
            return HMACCodeAuthenticator(key: try CodeKeySource(path: file).load())
        } catch {
            throw DaemonError(error.description)
        }
    }

    /// `[alert]` → the bad-review alert command (nil: log line only).
    public var alertConfiguration: AlertCommandConfiguration? {
        guard !alert.command.isEmpty else { return nil }
        return AlertCommandConfiguration(command: alert.command, timeout: .milliseconds(alert.timeoutMillis),
                                         includePersonalData: alert.revealPersonalData)
    }
}
