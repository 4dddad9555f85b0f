import EvalCore
import EvalDevices
import Foundation
import TOMLKit

/// Maps each TOML section onto its typed section, validating as it goes.
struct ConfigurationMapper {
    let root: TOMLTable
    let issues: IssueCollector

    func map() -> AgentConfiguration {
        var top = TOMLSectionReader(table: root, section: nil, issues: issues)
        let agentTable = top.subtable("agent")
        let queueTable = top.subtable("queue")
        let platformTable = top.subtable("platform")
        let windowTables = top.tableArray("window") ?? []
        let devicesTable = top.subtable("devices")
        let sessionsTable = top.subtable("sessions")
        let alertTable = top.subtable("alert")
        let apiTable = top.subtable("api")
        let metricsTable = top.subtable("metrics")
        let reportTable = top.subtable("report")
        top.reportUnknownKeys()

        var configuration = AgentConfiguration(
            agent: agent(agentTable),
            queue: queue(queueTable),
            platform: platform(platformTable),
            windows: windowTables.enumerated().map { window($1, index: $0) },
            devices: devices(devicesTable),
            sessions: sessions(sessionsTable),
            alert: alert(alertTable)
        )
        configuration.api = api(apiTable)
        configuration.metrics = metrics(metricsTable)
        configuration.report = report(reportTable)
        crossCheck(configuration, hasWindowSection: !windowTables.isEmpty)
        return configuration
    }

    private func agent(_ table: TOMLTable?) -> AgentSection {
        var r = TOMLSectionReader(table: table, section: "agent", issues: issues)
        var s = AgentSection()
        if let v = r.nonEmptyString("state_dir") {
            if v.hasPrefix("/") { s.stateDirectory = v } else { r.error("state_dir", "must be an absolute path, got \"\(v)\"") }
        }
        if let v = r.nonEmptyString("lock_file") { s.lockFile = absolute(v, "lock_file", &r) }
        if let v = r.nonEmptyString("status_file") { s.statusFile = absolute(v, "status_file", &r) }
        if let v = r.nonEmptyString("log_level") {
            if let level = LogLevelName(rawValue: v.lowercased()) { s.logLevel = level } else {
                r.error("log_level", "\"\(v)\" is not a level; use one of \(LogLevelName.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let v = r.string("metrics_listen") {
            if v.trimmingCharacters(in: .whitespaces).isEmpty {
                s.metricsListen = nil
            } else if let address = HostAndPort(parsing: v) {
                s.metricsListen = address
                if !address.isLoopback {
                    r.warning("metrics_listen", "\(address) is not a loopback address: metrics will be reachable from the network")
                }
            } else {
                r.error("metrics_listen", "\"\(v)\" is not host:port (e.g. 127.0.0.1:9464; empty string disables)")
            }
        }
        if let v = r.int("status_interval_seconds", range: 1...3600) { s.statusIntervalSeconds = v }
        r.reportUnknownKeys()
        return s
    }

    private func queue(_ table: TOMLTable?) -> QueueSection {
        var r = TOMLSectionReader(table: table, section: "queue", issues: issues)
        var s = QueueSection()
        if let v = r.nonEmptyString("path") { s.path = absolute(v, "path", &r) }
        if let v = r.int("max_pending_records", range: 1...Int(Int32.max)) { s.maxPendingRecords = v }
        if let v = r.int("max_pending_bytes", range: 1024...Int.max) { s.maxPendingBytes = v }
        if let v = r.int("min_free_bytes", range: 0...Int.max) { s.minFreeBytes = v }
        if let v = r.int("delivered_retention_days", range: 0...3650) { s.deliveredRetentionDays = v }
        if let v = r.int("personal_data_retention_days", range: 0...3650) { s.personalDataRetentionDays = v }
        if let v = r.int("undelivered_personal_data_days", range: 0...3650) { s.undeliveredPersonalDataRetentionDays = v }
        if let v = r.int("bad_review_identity_max_days", range: 0...3650) { s.badReviewIdentityMaxDays = v }
        if let v = r.int("quarantine_retention_days", range: 0...3650) { s.quarantineRetentionDays = v }
        r.reportUnknownKeys()
        return s
    }

    private func platform(_ table: TOMLTable?) -> PlatformSection {
        var r = TOMLSectionReader(table: table, section: "platform", issues: issues)
        var s = PlatformSection()
        if table == nil {
            issues.add(ConfigurationIssue(location: "[platform]", message: "section missing: base_url and app_key are required"))
        }
        if let v = r.nonEmptyString("adapter") {
            if let problems = AdapterDefinitionCheck.problems(v) { for p in problems { r.error("adapter", p) } } else { s.adapter = v }
        }
        let allowInsecureHTTP = r.bool("allow_insecure_http") ?? false
        if let v = r.nonEmptyString("base_url") {
            if let url = URL(string: v), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil {
                s.baseURL = v.hasSuffix("/") ? String(v.dropLast()) : v
                if scheme == "http", let host = url.host, !(host == "localhost" || host.hasPrefix("127.") || host == "::1") {
                    if allowInsecureHTTP {
                        r.warning("base_url", "plain http to a non-loopback host (allow_insecure_http = true): names and ID numbers travel unencrypted")
                    } else {
                        r.error("base_url", "plain http to a non-loopback host would send names and ID numbers unencrypted: use https, or set allow_insecure_http = true to accept that")
                    }
                }
            } else {
                r.error("base_url", "\"\(v)\" is not an http(s) URL with a host")
            }
        } else if table != nil {
            r.error("base_url", "required (e.g. https://platform.example.gov.cn/api/v1)")
        }
        if let v = r.nonEmptyString("app_key") { s.appKey = v } else if table != nil { r.error("app_key", "required") }
        if let v = r.nonEmptyString("app_secret_file") { s.appSecretFile = absolute(v, "app_secret_file", &r) }
        if let v = r.nonEmptyString("app_secret_credential") {
            if v.contains("/") { r.error("app_secret_credential", "a credential name must not contain '/'") } else { s.appSecretCredential = v }
        }
        if let v = r.nonEmptyString("ca_file") { s.caFile = absolute(v, "ca_file", &r) }
        if let v = r.nonEmptyString("client_cert_file") { s.clientCertificateFile = absolute(v, "client_cert_file", &r) }
        if let v = r.nonEmptyString("client_key_file") { s.clientKeyFile = absolute(v, "client_key_file", &r) }
        if (s.clientCertificateFile == nil) != (s.clientKeyFile == nil) {
            r.error(s.clientCertificateFile == nil ? "client_key_file" : "client_cert_file",
                    "mTLS needs both client_cert_file and client_key_file (set both or neither)")
        }
        if let v = r.int("connect_timeout_ms", range: 100...120_000) { s.connectTimeoutMillis = v }
        if let v = r.int("request_timeout_ms", range: 100...600_000) { s.requestTimeoutMillis = v }
        if let v = r.int("batch_size", range: 1...100) { s.batchSize = v }
        if let v = r.int("max_in_flight", range: 1...16) { s.maxInFlightRequests = v }
        if let v = r.int("backoff_base_ms", range: 10...600_000) { s.backoffBaseMillis = v }
        if let v = r.int("backoff_cap_ms", range: 100...86_400_000) { s.backoffCapMillis = v }
        if s.backoffCapMillis < s.backoffBaseMillis { r.error("backoff_cap_ms", "must not be below backoff_base_ms") }
        if let v = r.nonEmptyString("satisfaction_scale") {
            if let scale = SatisfactionScaleName(rawValue: v) { s.satisfactionScale = scale } else {
                r.error("satisfaction_scale", "\"\(v)\" is not five-is-best or one-is-best")
            }
        }
        if let v = r.nonEmptyString("uncertain_time") {
            if let policy = AssessTimeCheck.UncertainPolicy(rawValue: v) { s.uncertainTime = policy } else {
                r.error("uncertain_time", "\"\(v)\" is not hold or send")
            }
        }
        if let pfTable = r.subtable("pf_map") {
            var pr = TOMLSectionReader(table: pfTable, section: "platform.pf_map", issues: issues)
            for key in pfTable.keys {
                guard let from = Int(key), (1...99).contains(from) else {
                    pr.error(key, "keys are our pf codes 1…99 as strings, e.g. \"5\" = 6")
                    _ = pr.int(key)
                    continue
                }
                if let to = pr.int(key, range: 1...99) { s.pfMap[from] = to }
            }
        }
        r.reportUnknownKeys()
        return s
    }

    private func window(_ table: TOMLTable, index: Int) -> WindowSection {
        var r = TOMLSectionReader(table: table, section: "window", index: index, issues: issues)
        let area = r.nonEmptyString("area_code")
        let code = r.nonEmptyString("window_code")
        var s = WindowSection(areaCode: area ?? "", windowCode: code ?? "")
        if let area {
            if !(6...12).contains(area.count) || !area.allSatisfy(\.isASCIIDigit) {
                r.error("area_code", "\"\(area)\" must be 6–12 digits (行政区划代码)")
            }
        } else {
            r.error("area_code", "required: 6–12 digit administrative division code")
        }
        if code == nil { r.error("window_code", "required") }
        if let v = r.nonEmptyString("dept_code") {
            if v.count != 18 { r.error("dept_code", "\"\(v)\" must be an 18-character unified social credit code (统一社会信用代码)") }
            s.deptCode = v
        }
        s.deptName = r.nonEmptyString("dept_name")
        s.hallCode = r.nonEmptyString("hall_code")
        s.taskCode = r.nonEmptyString("task_code")
        s.taskName = r.nonEmptyString("task_name")
        if let v = r.int("pf", range: 1...99) { s.pf = v }
        for (key, field) in [("version", NationalField.version), ("evaversion", .evaversion), ("task_type", .taskType),
                             ("promisetime", .promisetime), ("data_source", .dataSource)] {
            guard let v = r.nonEmptyString(key) else { continue }
            if field.accepts(v) { s.national[field] = v } else { r.error(key, "\"\(v)\" must be \(field.rule)") }
        }
        // The keypad reason step: codes as strings ("213"), up to five per level.
        var step = ReasonStep()
        for (key, level) in [("reason_codes_dissatisfied", Rating.dissatisfied), ("reason_codes_very_dissatisfied", .veryDissatisfied)] {
            guard let texts = r.stringArray(key) else { continue }
            let codes = texts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard codes.count == texts.count, codes.count <= ReasonStep.maximumCodes,
                  codes.allSatisfy({ (1...999).contains($0) }) else {
                r.error(key, "must be 1–\(ReasonStep.maximumCodes) reason codes as strings, e.g. [\"213\", \"214\"]")
                continue
            }
            if level == .dissatisfied { step.dissatisfied = codes } else { step.veryDissatisfied = codes }
        }
        if let v = r.int("reason_timeout_seconds", range: 3...120) { step.timeoutSeconds = v }
        if !step.dissatisfied.isEmpty || !step.veryDissatisfied.isEmpty { s.reasonStep = step }
        if let staffTables = r.tableArray("staff") {
            for (i, staffTable) in staffTables.enumerated() {
                var sr = TOMLSectionReader(table: staffTable, section: "window", index: index, schemaSection: "window.staff", issues: issues)
                let login = sr.nonEmptyString("login_name")
                let name = sr.nonEmptyString("name")
                if let login, let name {
                    s.staff.append(StaffEntry(loginName: login, name: name))
                } else {
                    r.error("staff", "entry \(i + 1) needs login_name and name")
                }
                sr.reportUnknownKeys()
            }
        }
        if let devices = r.stringArray("devices") {
            s.devices = devices.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if s.devices.isEmpty {
            r.warning("devices", "no device bound: this window produces no evaluations")
        }
        r.reportUnknownKeys()
        return s
    }

    private func devices(_ table: TOMLTable?) -> DevicesSection {
        var r = TOMLSectionReader(table: table, section: "devices", issues: issues)
        var s = DevicesSection()
        if let v = r.nonEmptyString("profile_dir") { s.profileDirectory = absolute(v, "profile_dir", &r) ?? s.profileDirectory }
        if let v = r.nonEmptyString("simulated_keypad") {
            if v == "stdin" || v.hasPrefix("/") { s.simulatedKeypad = v } else {
                r.error("simulated_keypad", "use \"stdin\" or an absolute FIFO path, got \"\(v)\"")
            }
        }
        if let v = r.bool("evdev") { s.useEvdev = v }
        if let v = r.bool("libusb") { s.useLibUSB = v }
        if let v = r.bool("hidraw") { s.useHidraw = v }
        s.serialPorts = serialPorts(&r)
        r.reportUnknownKeys()
        return s
    }

    private func sessions(_ table: TOMLTable?) -> SessionsSection {
        var r = TOMLSectionReader(table: table, section: "sessions", issues: issues)
        var s = SessionsSection()
        if let v = r.int("debounce_ms", range: 0...10_000) { s.debounceMillis = v }
        if let v = r.int("min_interval_ms", range: 0...600_000) { s.minIntervalMillis = v }
        if let v = r.int("identity_bind_seconds", range: 0...600) { s.identityBindSeconds = v }
        if let v = r.bool("default_ratings") { s.defaultRatings = v }
        if let v = r.nonEmptyString("calendar_dir") { s.calendarDirectory = absolute(v, "calendar_dir", &r) ?? s.calendarDirectory }
        if let v = r.nonEmptyString("local_calendar_dir") {
            s.localCalendarDirectory = absolute(v, "local_calendar_dir", &r) ?? s.localCalendarDirectory
        }
        if let v = r.nonEmptyString("scan_rules_file") { s.scanRulesFile = absolute(v, "scan_rules_file", &r) ?? s.scanRulesFile }
        if let v = r.nonEmptyString("code_key_file") { s.codeKeyFile = absolute(v, "code_key_file", &r) }
        if let v = r.nonEmptyString("reason_codes_file") { s.reasonCodesFile = absolute(v, "reason_codes_file", &r) ?? s.reasonCodesFile }
        r.reportUnknownKeys()
        return s
    }

    private func alert(_ table: TOMLTable?) -> AlertSection {
        var r = TOMLSectionReader(table: table, section: "alert", issues: issues)
        var s = AlertSection()
        if let v = r.stringArray("command") {
            if let first = v.first, !first.hasPrefix("/") {
                r.error("command", "the program must be an absolute path (no $PATH lookup in a service), got \"\(first)\"")
            }
            s.command = v
        }
        if let v = r.int("timeout_ms", range: 100...600_000) { s.timeoutMillis = v }
        if let v = r.bool("reveal_personal_data") { s.revealPersonalData = v }
        if let v = r.int("deadline_near_working_days", range: 0...15) { s.deadlineNearWorkingDays = v }
        r.reportUnknownKeys()
        return s
    }

    private func api(_ table: TOMLTable?) -> APISection {
        var r = TOMLSectionReader(table: table, section: "api", issues: issues)
        var s = APISection()
        guard table != nil else { return s }
        s.enabled = r.bool("enabled") ?? true
        if let v = r.nonEmptyString("socket") { s.socket = absolute(v, "socket", &r) ?? s.socket }
        if s.socket.utf8.count >= 108 { r.error("socket", "a Unix socket path must be shorter than 108 bytes") }
        if let v = r.nonEmptyString("socket_group") { s.socketGroup = v }
        if let v = r.string("listen"), !v.trimmingCharacters(in: .whitespaces).isEmpty {
            if let address = HostAndPort(parsing: v), address.isLoopback {
                s.listen = address
            } else {
                r.error("listen", "\"\(v)\" must be a loopback host:port (e.g. 127.0.0.1:8765): the API is for this PC's browser only")
            }
        }
        if let v = r.nonEmptyString("token_file") { s.tokenFile = absolute(v, "token_file", &r) }
        if let v = r.nonEmptyString("token_credential") {
            if v.contains("/") { r.error("token_credential", "a credential name must not contain '/'") } else { s.tokenCredential = v }
        }
        if let v = r.stringArray("allowed_origins") {
            // An origin is scheme://host[:port] exactly: a browser's Origin header never has a path.
            func isOrigin(_ text: String) -> Bool {
                guard let rest = ["http://", "https://"].first(where: text.hasPrefix).map({ text.dropFirst($0.count) }) else { return false }
                return !rest.isEmpty && !rest.contains { "/?#*@ ".contains($0) }
            }
            for origin in v where !isOrigin(origin) {
                r.error("allowed_origins", "\"\(origin)\" is not an origin (scheme://host[:port], no path, no wildcard)")
            }
            s.allowedOrigins = v
        }
        if let v = r.int("max_body_bytes", range: 1024...1_048_576) { s.maxBodyBytes = v }
        if let v = r.int("opens_per_second", range: 1...1000) { s.opensPerSecond = v }
        if let v = r.int("open_burst", range: 1...10_000) { s.openBurst = v }
        if let v = r.int("writes_per_second", range: 1...1000) { s.writesPerSecond = v }
        if let v = r.int("write_burst", range: 1...10_000) { s.writeBurst = v }
        if let v = r.int("detail_window_seconds", range: 0...600) { s.detailWindowSeconds = v }
        if let v = r.int("follow_up_days", range: 0...365) { s.followUpDays = v }
        if let v = r.int("max_connections", range: 1...2048) { s.maxConnections = v }
        if let v = r.int("idle_timeout_seconds", range: 1...3600) { s.idleTimeoutSeconds = v }
        if let v = r.int("header_timeout_seconds", range: 1...600) { s.headerTimeoutSeconds = v }
        if let v = r.int("max_event_streams", range: 1...4096) { s.maxEventStreams = v }
        if let v = r.stringArray("allowed_hosts") {
            // A host name as a Host header carries it: no scheme, no port, no path.
            for host in v where host.isEmpty || host.contains(where: { ":/?#@* ".contains($0) }) {
                r.error("allowed_hosts", "\"\(host)\" is not a host name (no scheme, port or path; loopback names are always allowed)")
            }
            s.allowedHosts = v.map { $0.lowercased() }
        }
        if let tables = r.tableArray("window_tokens") {
            for (i, table) in tables.enumerated() {
                var tr = TOMLSectionReader(table: table, section: "api", schemaSection: "api.window_tokens", issues: issues)
                var file: String?
                if let v = tr.nonEmptyString("token_file") { file = absolute(v, "token_file", &tr) }
                let windows = tr.stringArray("windows") ?? []
                if let file, !windows.isEmpty {
                    s.windowTokens.append(WindowTokenEntry(tokenFile: file, windows: windows))
                } else {
                    r.error("window_tokens", "entry \(i + 1) needs token_file (absolute) and windows (at least one window_code)")
                }
                tr.reportUnknownKeys()
            }
        }
        r.reportUnknownKeys()
        return s
    }

    private func metrics(_ table: TOMLTable?) -> MetricsSection {
        var r = TOMLSectionReader(table: table, section: "metrics", issues: issues)
        var s = MetricsSection()
        if let v = r.int("max_connections", range: 1...1024) { s.maxConnections = v }
        if let v = r.int("idle_timeout_seconds", range: 1...3600) { s.idleTimeoutSeconds = v }
        if let v = r.int("header_timeout_seconds", range: 1...600) { s.headerTimeoutSeconds = v }
        r.reportUnknownKeys()
        return s
    }

    private func crossCheck(_ c: AgentConfiguration, hasWindowSection: Bool) {
        if !hasWindowSection {
            issues.add(ConfigurationIssue(.warning, location: "[[window]]", message: "no window configured: no device is bound, nothing will be evaluated"))
        }
        var owner: [String: String] = [:]
        for (i, window) in c.windows.enumerated() {
            for device in window.devices {
                if case .failure(let invalid) = DeviceIdForm.parse(device, simulatedIds: [DevicesSection.simulatedKeypadId]) {
                    issues.add(ConfigurationIssue(
                        location: "[[window]] #\(i + 1) devices", line: issues.locator.key("devices", section: "window", index: i),
                        message: "\(invalid)"))
                }
                if let other = owner[device] {
                    issues.add(ConfigurationIssue(
                        location: "[[window]] #\(i + 1) devices", line: issues.locator.key("devices", section: "window", index: i),
                        message: "device \"\(device)\" is already bound to window \(other); a device serves one window"
                    ))
                }
                owner[device] = window.windowCode
            }
        }
        var codes: Set<String> = []
        for (i, window) in c.windows.enumerated() where !window.windowCode.isEmpty {
            let key = "\(window.hallCode ?? "")/\(window.windowCode)"
            if !codes.insert(key).inserted {
                issues.add(ConfigurationIssue(
                    location: "[[window]] #\(i + 1) window_code", line: issues.locator.key("window_code", section: "window", index: i),
                    message: "window \(window.windowCode) appears twice in hall \(window.hallCode ?? "(none)")"
                ))
            }
        }
        // A per-window token names configured windows, and only means something on TCP.
        let windowCodes = Set(c.windows.map(\.windowCode))
        for entry in c.api.windowTokens {
            for code in entry.windows where !windowCodes.contains(code) {
                issues.add(ConfigurationIssue(location: "[api] window_tokens", line: issues.locator.key("window_tokens", section: "api"),
                                              message: "\(entry.tokenFile): window \(code) is not configured in any [[window]]"))
            }
        }
        if !c.api.windowTokens.isEmpty, c.api.listen == nil {
            issues.add(ConfigurationIssue(.warning, location: "[api] window_tokens", line: issues.locator.key("window_tokens", section: "api"),
                                          message: "without listen the tokens are never asked for (the Unix socket needs none)"))
        }
        // Whether the app secret is there and usable is `AppSecretSource`'s
        // check (evald's start, --check-config, selftest), not the parser's:
        // evalctl reads this file too and need not see the secret.
    }

    private func absolute(_ value: String, _ key: String, _ r: inout TOMLSectionReader) -> String? {
        if value.hasPrefix("/") { return value }
        r.error(key, "must be an absolute path, got \"\(value)\"")
        return nil
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
