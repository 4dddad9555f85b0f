import EvalCore
import ArgumentParser
import EvalAgent
import EvalQueue
import Foundation

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Is evald running? Devices online, queue counts, oldest pending, last delivery and error, clock."
    )

    @OptionGroup var options: GlobalOptions
    @Flag(help: "Machine-readable output (keys queue.pending, queue.inflight, queue.delivered, queue.rejected, …).")
    var json = false

    func run() throws {
        let context = try options.context()
        let daemon = context.daemon()
        let now = Date()
        var snapshot: QueueSnapshot?
        var queueProblem: String?
        do {
            snapshot = try context.reader().snapshot()
        } catch {
            queueProblem = "\(error)"
        }
        let status: AgentStatus? = if case .running(_, let s) = daemon { s } else { nil }
        let pid: Int32? = if case .running(let p, _) = daemon { p } else { nil }
        let running = pid != nil || { if case .running = daemon { return true } else { return false } }()
        let lastError = [status?.lastErrorAt.map { ($0, status?.lastError ?? "") }, snapshot?.lastError.map { ($0.at, "\($0.evaluationId): \($0.message)") }]
            .compactMap { $0 }.max { $0.0 < $1.0 }

        if json {
            var queue: [String: Any] = [:]
            for state in RecordState.allCases { queue[state.rawValue] = snapshot?.count(state) ?? NSNull() }
            queue["total"] = snapshot?.total ?? NSNull()
            queue["pendingBadReviews"] = snapshot?.pendingBadReviews ?? NSNull()
            queue["undelivered"] = snapshot?.undelivered ?? NSNull()
            queue["waitingForRetry"] = snapshot?.waitingForRetry ?? NSNull()
            queue["refusals"] = status?.refusals ?? 0
            queue["lastRefusal"] = status?.lastRefusal.map { ["at": Output.isoTime(status?.lastRefusalAt), "message": $0] as [String: Any] } ?? NSNull()
            queue["quarantinedFile"] = status?.quarantinedFile ?? NSNull()
            queue["oldestPendingAgeSeconds"] = snapshot?.oldestPendingAge(now: now) ?? NSNull()
            queue["lastDelivery"] = Output.isoTime(snapshot?.lastDeliveredAt ?? status?.lastDelivery)
            queue["path"] = context.queuePath
            if let queueProblem { queue["error"] = queueProblem }
            let object: [String: Any] = [
                "daemon": [
                    "running": running,
                    "pid": pid.map { Int($0) } ?? NSNull(),
                    "phase": status?.phase ?? (running ? "unknown" : "stopped"),
                    "version": status?.version ?? NSNull(),
                    "startedAt": Output.isoTime(status?.startedAt),
                    "statusUpdatedAt": Output.isoTime(status?.updatedAt),
                ] as [String: Any],
                "devices": [
                    "online": status?.devicesOnline ?? 0,
                    "list": (status?.devices ?? []).map {
                        ["deviceId": $0.deviceId, "name": $0.name, "window": $0.windowCode ?? NSNull(), "online": $0.online,
                         "problem": $0.problem ?? NSNull()] as [String: Any]
                    },
                ] as [String: Any],
                "queue": queue,
                "lastError": lastError.map { ["at": Output.isoTime($0.0), "message": $0.1] as [String: Any] } ?? NSNull(),
                "clock": status?.clockState ?? "unknown",
                "platformAuthFailing": status?.platformAuthFailing ?? false,
            ]
            // Both shapes: nested (jq .queue.pending) and flat dotted keys ("queue.pending").
            var flat = object
            for state in RecordState.allCases { flat["queue.\(state.rawValue)"] = queue[state.rawValue] }
            flat["daemon.running"] = running
            flat["devices.online"] = status?.devicesOnline ?? 0
            print(Output.json(flat))
        } else {
            if running {
                print("evald:          running (pid \(pid.map(String.init) ?? "?"), \(status?.phase ?? "status unknown"), since \(Output.time(status?.startedAt)))")
            } else {
                print("evald:          not running")
            }
            if let status {
                let devices = status.devices.map { "\($0.deviceId)→\($0.windowCode ?? "unbound")\($0.online ? "" : " (offline)")" }
                print("devices online: \(status.devicesOnline) of \(status.devices.count)\(devices.isEmpty ? "" : "  " + devices.joined(separator: ", "))")
                print("clock:          \(status.clockState)")
                if status.platformAuthFailing { print("platform:       REFUSES OUR CREDENTIALS (401): check app_key and the app secret") }
            }
            if let snapshot {
                let c = { (s: RecordState) in snapshot.count(s) }
                print("queue:          待发送 pending \(c(.pending)) (\(snapshot.waitingForRetry) waiting for a retry), 发送中 inflight \(c(.inflight)), 已送达 delivered \(c(.delivered)), 被拒 rejected \(c(.rejected))")
                print("undelivered:    \(snapshot.undelivered) (差评 bad reviews \(snapshot.pendingBadReviews)), oldest \(Output.age(snapshot.oldestPendingAge(now: now)))")
                print("last delivery:  \(Output.time(snapshot.lastDeliveredAt ?? status?.lastDelivery))")
            } else if let queueProblem {
                print("queue:          \(queueProblem)")
            }
            if let refusals = status?.refusals, refusals > 0 {
                print("REFUSED:        \(refusals) evaluation(s) NOT stored since start; last \(Output.time(status?.lastRefusalAt)) \(status?.lastRefusal ?? "")")
            }
            if let moved = status?.quarantinedFile {
                print("QUARANTINED:    a damaged queue file was moved aside to \(moved): salvage it as docs/queue.md describes")
            }
            print("last error:     \(lastError.map { "\(Output.time($0.0)) \($0.1)" } ?? "-")")
        }
        if queueProblem != nil && !running { throw ExitCode(1) }
    }
}
