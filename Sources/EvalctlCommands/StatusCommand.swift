import ArgumentParser
import EvalCore
import EvalOperator
import EvalQueue
import Foundation

/// `evalctl status`. Exit status as `systemctl status`: 0 evald runs, 3 it
/// does not, 4 evalctl cannot tell (no permission to probe its lock).
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Is evald running? Devices online, queue counts, oldest pending, last delivery and error, clock.",
        discussion: """
        Exit status, as systemctl status: 0 evald is running, 3 it is not running, \
        4 evalctl cannot tell (permission: run with sudo or as a member of group evald). \
        Lines fit the terminal (80 columns into a pipe, or $COLUMNS): a long value \
        continues, indented, on the next line. --json prints one object; its schema is in docs/cli-json.md.
        """
    )

    static let exitNotRunning: Int32 = 3
    static let exitCannotTell: Int32 = 4

    @OptionGroup var options: GlobalOptions
    @Flag(help: "Machine-readable output (schema: docs/cli-json.md).")
    var json = false

    func run() throws {
        let context = try options.context()
        let liveness = context.liveness()
        let now = Date()
        var snapshot: QueueSnapshot?
        var queueProblem: String?
        do {
            snapshot = try context.reader().snapshot()
        } catch {
            queueProblem = "\(error)"
        }
        let report = StatusReport(liveness: liveness, snapshot: snapshot, queueProblem: queueProblem,
                                  queuePath: context.queuePath, now: now)
        if json {
            print(Output.json(report.jsonObject))
        } else {
            // Each line's value continues under the value column (16).
            for line in report.lines { Terminal.wrap(TerminalText.escaped(line), width: Terminal.columns, indent: 16).forEach { print($0) } }
        }
        switch liveness {
        case .running: return
        case .stopped: throw ExitCode(Self.exitNotRunning)
        case .cannotTell: throw ExitCode(Self.exitCannotTell)
        }
    }
}

/// What `evalctl status` shows, built once for both the table and `--json`.
struct StatusReport {
    var liveness: OperatorContext.Liveness
    var snapshot: QueueSnapshot?
    var queueProblem: String?
    var queuePath: String
    var now: Date

    var status: AgentStatus? { if case .running(_, let s) = liveness { s } else { nil } }
    var pid: Int32? { if case .running(let p, _) = liveness { p } else { nil } }

    var state: String {
        switch liveness {
        case .running: "running"
        case .stopped: "stopped"
        case .cannotTell: "unknown"
        }
    }

    var lastError: (at: Date, message: String)? {
        [status?.lastErrorAt.map { ($0, status?.lastError ?? "") },
         snapshot?.lastError.map { ($0.at, "\($0.evaluationId): \($0.message)") }]
            .compactMap { $0 }.max { $0.0 < $1.0 }
    }

    var jsonObject: [String: Any] {
        var queue: [String: Any] = [:]
        for state in RecordState.allCases { queue[state.rawValue] = snapshot?.count(state) ?? NSNull() }
        queue["total"] = snapshot?.total ?? NSNull()
        queue["pendingBadReviews"] = snapshot?.pendingBadReviews ?? NSNull()
        queue["undelivered"] = snapshot?.undelivered ?? NSNull()
        queue["waitingForRetry"] = snapshot?.waitingForRetry ?? NSNull()
        queue["storeRefusals"] = status?.refusals ?? 0
        queue["lastStoreRefusal"] = status?.lastRefusal.map { ["at": Output.isoTime(status?.lastRefusalAt), "message": $0] as [String: Any] } ?? NSNull()
        queue["quarantinedFile"] = status?.quarantinedFile ?? NSNull()
        queue["oldestPendingAgeSeconds"] = snapshot?.oldestPendingAge(now: now).map { Int($0.rounded()) } ?? NSNull()
        queue["lastDeliveryAt"] = Output.isoTime(snapshot?.lastDeliveredAt ?? status?.lastDelivery)
        queue["path"] = queuePath
        queue["error"] = queueProblem ?? NSNull()
        var reason: Any = NSNull()
        var running: Any = state == "running"
        if case .cannotTell(let why) = liveness { reason = why; running = NSNull() }
        return [
            "daemon": [
                "state": state,
                "running": running,
                "reason": reason,
                "pid": pid.map { Int($0) } ?? NSNull(),
                "phase": status?.phase ?? NSNull(),
                "version": status?.version ?? NSNull(),
                "startedAt": Output.isoTime(status?.startedAt),
                "statusUpdatedAt": Output.isoTime(status?.updatedAt),
            ] as [String: Any],
            "devices": [
                "online": status.map { $0.devicesOnline } ?? NSNull(),
                "absentSinceStart": status.map { $0.absentSinceStart ?? [] } ?? NSNull(),
                "list": (status?.devices ?? []).map {
                    ["deviceId": $0.deviceId, "name": $0.name, "window": $0.windowCode ?? NSNull(), "online": $0.online,
                     "problem": $0.problem ?? NSNull(), "offlineSince": Output.isoTime($0.offlineSince),
                     "offlineSeconds": $0.offlineSeconds ?? 0] as [String: Any]
                },
            ] as [String: Any],
            "queue": queue,
            "lastError": lastError.map { ["at": Output.isoTime($0.at), "message": $0.message] as [String: Any] } ?? NSNull(),
            "clock": [
                "trusted": status?.clock.map { $0.trusted } ?? NSNull(),
                "state": status?.clock?.state ?? NSNull(),
                "detail": status?.clock?.detail ?? status?.clockState ?? NSNull(),
                "platformOffsetSeconds": status?.clock?.platformOffsetSeconds ?? NSNull(),
                "timeUncertainRecords": snapshot?.timeUncertain ?? NSNull(),
            ] as [String: Any],
            "platformAuthFailing": status.map { $0.platformAuthFailing } ?? NSNull(),
        ]
    }

    var lines: [String] {
        var lines: [String] = []
        switch liveness {
        case .running(let pid, let status):
            lines.append("evald:          running (pid \(pid.map(String.init) ?? "?"), \(status?.phase ?? "status unknown"), since \(Output.time(status?.startedAt)))")
        case .stopped:
            lines.append("evald:          not running (start it: sudo systemctl start evald; why it stopped: journalctl -u evald)")
        case .cannotTell(let reason):
            lines.append("evald:          cannot tell whether evald runs: \(reason)")
        }
        if let status {
            let devices = status.devices.map {
                "\($0.deviceId)→\($0.windowCode ?? "unbound")\($0.online ? "" : " (offline\($0.offlineSince.map { " since \(Output.time($0))" } ?? ""))")"
            }
            lines.append("devices online: \(status.devicesOnline) of \(status.devices.count)\(devices.isEmpty ? "" : "  " + devices.joined(separator: ", "))")
            for id in status.absentSinceStart ?? [] {
                let window = status.devices.first { $0.deviceId == id }?.windowCode.map { " (window \($0))" } ?? ""
                lines.append("ABSENT:         \(id)\(window) was not attached when evald started and has sent nothing since: plug it in, or check the deviceId (evalctl devices)")
            }
            lines.append("clock:          \(status.clock?.detail ?? status.clockState)")
            if status.platformAuthFailing { lines.append("platform:       REFUSES OUR CREDENTIALS (401): check app_key and the app secret (sudo evalctl selftest)") }
        }
        if let snapshot {
            let c = { (s: RecordState) in snapshot.count(s) }
            lines.append("queue:          待发送 pending \(c(.pending)) (\(snapshot.waitingForRetry) waiting for a retry; on the wire included), 已送达 delivered \(c(.delivered)), 被拒 rejected \(c(.rejected))")
            lines.append("undelivered:    \(snapshot.undelivered) (差评 bad reviews \(snapshot.pendingBadReviews)), oldest \(Output.age(snapshot.oldestPendingAge(now: now)))")
            lines.append("last delivery:  \(Output.time(snapshot.lastDeliveredAt ?? status?.lastDelivery))")
            if snapshot.timeUncertain > 0 {
                lines.append("TIME UNCERTAIN: \(snapshot.timeUncertain) record(s) held, not sent: made while the clock had lost its time (evalctl queue list --state pending)")
            }
            if c(.rejected) > 0 {
                lines.append("refused:        \(c(.rejected)) record(s) rejected by the platform: evalctl queue list --state rejected")
            }
        } else if let queueProblem {
            lines.append("queue:          \(queueProblem)")
        }
        if let refusals = status?.refusals, refusals > 0 {
            lines.append("NOT STORED:     \(refusals) evaluation(s) the queue refused since start; last \(Output.time(status?.lastRefusalAt)) \(status?.lastRefusal ?? "")")
        }
        if let moved = status?.quarantinedFile {
            lines.append("QUARANTINED:    a damaged queue file was moved aside to \(moved): salvage it as docs/queue.md describes")
        }
        lines.append("last error:     \(lastError.map { "\(Output.time($0.at)) \($0.message)" } ?? "-")")
        return lines
    }
}
