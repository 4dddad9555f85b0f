#if canImport(Glibc)
import EvalOperator
import Glibc
#endif
import EvalAgent
import EvalTesting
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

@Suite("evald as a real process", .serialized)
struct DaemonProcessTests {
    @Test func checkConfigAcceptsAGoodFileAndExplainsABadOne() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = TestConfig(directory: dir.url.path)
        try config.write()
        let good = try await ChildProcess.run(try BuiltProducts.executable(named: "evald"), arguments: ["--check-config", "--config", config.configPath], directory: dir.url.path)
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("OK"))

        let bad = dir.path("bad.toml")
        try Data("[platform]\nbase_url = \"nope\"\napp_key = \"k\"\n[queue]\nmax_pending_records = -1\n".utf8)
            .write(to: URL(fileURLWithPath: bad))
        let result = try await ChildProcess.run(try BuiltProducts.executable(named: "evald"), arguments: ["--check-config", "--config", bad], directory: dir.url.path)
        #expect(result.status == 1)
        #expect(result.stdout.contains("line 2: [platform] base_url"))
        #expect(result.stdout.contains("line 5: [queue] max_pending_records"))

        let corrupt = dir.path("corrupt.toml")
        try Data((0..<512).map { UInt8(truncatingIfNeeded: $0 &* 37) }).write(to: URL(fileURLWithPath: corrupt))
        let garbage = try await ChildProcess.run(try BuiltProducts.executable(named: "evald"), arguments: ["--check-config", "--config", corrupt], directory: dir.url.path)
        #expect(garbage.status == 1)
        #expect(garbage.stdout.contains("error"))
        #expect(!garbage.stderr.contains("Fatal error"))

        // Starting (not checking) with a bad file exits 78 (EX_CONFIG) with the reason on stderr.
        let refused = try await ChildProcess.run(try BuiltProducts.executable(named: "evald"), arguments: ["--config", bad], directory: dir.url.path)
        #expect(refused.status == 78)
        #expect(!refused.stderr.contains("<3>"), "no journald prefix when stderr is not the journal")
        #expect(refused.stderr.contains("base_url"))
    }

    @Test func startsReadyServesMetricsRefusesASecondInstanceAndStopsOnSIGTERM() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var config = TestConfig(directory: dir.url.path)
        config.metricsPort = freeLoopbackPort()
        try config.write()
        let notifyPath = dir.path("notify.sock")
        let notify = try NotifySocket(path: notifyPath)
        defer { notify.close() }

        let started = ContinuousClock.now
        let daemon = try ChildProcess(try BuiltProducts.executable(named: "evald"), arguments: ["--config", config.configPath],
                               environment: ["NOTIFY_SOCKET": notifyPath, "WATCHDOG_USEC": "400000"], directory: dir.url.path)
        defer { daemon.stop() }
        let ready = notify.waitFor("READY=1", timeout: .seconds(30))
        #expect(ready.found, "no READY=1; saw \(ready.seen); stderr:\n\(daemon.stderr)")
        let readyAfter = ContinuousClock.now - started
        print("evald start-to-READY: \(readyAfter)")

        // Healthy loops: the watchdog is pinged (at half of WATCHDOG_USEC).
        let ping = notify.waitFor("WATCHDOG=1", timeout: .seconds(5))
        #expect(ping.found, "no WATCHDOG=1; saw \(ping.seen)")

        // The status file says it runs.
        #expect(await eventually(timeout: .seconds(5)) { (try? AgentStatus.read(from: config.statusPath))?.phase == "running" })
        let status = try AgentStatus.read(from: config.statusPath)
        #expect(status.pid == daemon.pid)

        // Metrics answer on loopback.
        let url = URL(string: "http://127.0.0.1:\(config.metricsPort!)/metrics")!
        var body = ""
        _ = await eventually(timeout: .seconds(5)) {
            guard let (data, _) = try? await URLSession.shared.data(from: url) else { return false }
            body = String(decoding: data, as: UTF8.self)
            return true
        }
        #expect(body.contains("# TYPE evald_deliveries_total counter"), "\(body)")
        #expect(body.contains("evald_build_info{version=\"\(EvaldVersion.current)\"} 1"))
        #expect(body.contains("evald_last_successful_delivery_timestamp_seconds 0.000"))
        for name in ["process_resident_memory_bytes", "process_start_time_seconds", "process_cpu_seconds_total", "process_open_fds"] {
            #expect(body.contains("\n\(name) "), "missing \(name)")
        }
        let processStart = body.split(separator: "\n").first { $0.hasPrefix("process_start_time_seconds ") }
            .flatMap { Double($0.split(separator: " ")[1]) } ?? 0
        #expect(processStart > 1_700_000_000 && processStart <= Date().timeIntervalSince1970, "a Unix time: \(processStart)")
        var head = URLRequest(url: url)
        head.httpMethod = "HEAD"
        let (headBody, headResponse) = try await URLSession.shared.data(for: head)
        #expect((headResponse as? HTTPURLResponse)?.statusCode == 200)
        #expect(headBody.isEmpty)

        // No journald priority prefixes: stderr here is a file, not the journal (JOURNAL_STREAM unset).
        #expect(daemon.stderr.contains("evald: evald ready"))
        #expect(!daemon.stderr.contains("<5>"))

        // A second instance on the same state directory is refused, clearly.
        let second = try await ChildProcess.run(try BuiltProducts.executable(named: "evald"), arguments: ["--config", config.configPath], directory: dir.url.path)
        #expect(second.status == 75)
        #expect(second.stderr.contains("another evald (process \(daemon.pid)) already runs"), "\(second.stderr)")
        #expect(daemon.isRunning)

        // SIGHUP reloads and says so; the daemon keeps running.
        daemon.send(SIGHUP)
        #expect(await eventually(timeout: .seconds(10)) { daemon.stderr.contains("reloaded: 1 window(s)") }, "\(daemon.stderr)")
        #expect(notify.waitFor("READY=1", timeout: .seconds(5)).found)
        #expect(daemon.isRunning)

        // SIGTERM: STOPPING=1, clean exit well inside TimeoutStopSec, status file removed.
        daemon.send(SIGTERM)
        let exit = try await daemon.waitForExit(timeout: .seconds(25))
        #expect(exit == 0, "stderr:\n\(daemon.stderr)")
        #expect(notify.waitFor("STOPPING=1", timeout: .seconds(1)).found || daemon.stderr.contains("stopping"))
        #expect(!FileManager.default.fileExists(atPath: config.statusPath))
        #expect(daemon.stderr.contains("evald stopped cleanly"))
    }
}
