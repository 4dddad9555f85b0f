#if canImport(Glibc)
import Glibc
#endif
import EvalAPIClient
import EvalOperator
import EvalTesting
import Foundation
import Testing

/// Issue #24 item 5, "done when": about 1 100 idle connections to the counter
/// API's port and as many to `/metrics` leave a real evald — run with the
/// 1 024 descriptors systemd gives by default — forwarding and answering.
/// Each listener keeps its cap of connections and closes the rest at once.
@Suite("bounded local servers end to end", .serialized)
struct BoundedServersEndToEndTests {
    static let idleClients = 1_100

    @Test func elevenHundredIdleConnectionsPerPortLeaveEvaldForwardingAndAnswering() async throws {
        let dir = try TemporaryDirectory(prefix: "evald-bounded")
        defer { dir.remove() }
        let sim = try await PlatformSimulatorProcess.start(appKey: "test-key", secret: "test-secret")
        defer { sim.stop() }
        let apiPort = freeLoopbackPort()
        let metricsPort = freeLoopbackPort()
        var config = TestConfig(directory: dir.url.path)
        config.platformURL = sim.baseURL
        config.metricsPort = metricsPort
        let token = "bounded-e2e-token-0123456789"
        try Data("\(token)\n".utf8).write(to: URL(fileURLWithPath: dir.path("api-token")))
        // Timeouts long enough that the idle clients stay for the whole test: the caps alone must hold.
        config.extra = """
        [api]
        socket = "\(dir.path("api.sock"))"
        listen = "127.0.0.1:\(apiPort)"
        token_file = "\(dir.path("api-token"))"
        max_connections = 64
        idle_timeout_seconds = 600
        header_timeout_seconds = 600

        [metrics]
        max_connections = 8
        idle_timeout_seconds = 600
        header_timeout_seconds = 600
        """
        try config.write()
        let keypad = try Keypad(path: config.fifoPath)
        defer { keypad.close() }
        // systemd's default soft limit, which the unit used to keep: 1 024 descriptors.
        let daemon = try ChildProcess(URL(fileURLWithPath: "/usr/bin/prlimit"),
                                      arguments: ["--nofile=1024:1024", "--", try BuiltProducts.executable(named: "evald").path,
                                                  "--config", config.configPath],
                                      directory: config.directory)
        defer { daemon.stop() }
        #expect(await eventually(timeout: .seconds(30)) {
            (try? AgentStatus.read(from: config.statusPath))?.phase == "running" && (try? AgentStatus.read(from: config.statusPath))?.pid == daemon.pid
        }, "evald not ready; stderr:\n\(daemon.stderr)")
        try await keypad.connect(timeout: .seconds(10))
        let unix = LocalHTTPClient(.unix(dir.path("api.sock")))
        let tcp = LocalHTTPClient(.tcp(port: apiPort))
        let bearer = ["Authorization": "Bearer \(token)"]
        #expect(await eventually(timeout: .seconds(10)) { (try? tcp.request("GET", "/v1/windows", headers: bearer).status) == 200 })
        #expect(await eventually(timeout: .seconds(10)) { (try? LocalHTTPClient(.tcp(port: metricsPort)).request("GET", "/metrics").status) == 200 })

        // The flood: connections that never send a byte. 2 200 blocking connects,
        // on a thread of their own (not the cooperative pool other tests need).
        let clients = Self.idleClients
        var idle = try await onOwnThread {
            try [apiPort, metricsPort].flatMap { port in try (0..<clients).map { _ in try LoopbackConnection(port: port) } }
        }
        // Each listener keeps its cap and closes every other one at once.
        let expectedClosed = (Self.idleClients - 64) + (Self.idleClients - 8)
        var closed = 0
        let settled = await eventually(timeout: .seconds(60)) {
            closed = idle.filter(\.closedByPeer).count
            return closed == expectedClosed
        }
        #expect(settled, "\(closed) of \(idle.count) idle connections closed by evald, expected \(expectedClosed)")
        // What evald holds meanwhile: its caps' worth of sockets, far from its 1 024.
        let held = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(daemon.pid)/fd").count) ?? -1
        print("bounded servers: evald holding \(2 * Self.idleClients) idle clients: \(held) open descriptors")
        #expect(held > 0 && held < 1_024 - 64)

        // Still answering: the Unix socket opens a service, a press rates it...
        let opened = try unix.request("POST", "/v1/services", json: #"{"windowCode":"W01","projectNo":"MS-2026-FLOOD-0001","countdownSeconds":60}"#)
        #expect(opened.status == 201, "\(opened); stderr:\n\(daemon.stderr.suffix(2000))")
        keypad.press(5)
        // ...and forwarding: the evaluation reaches the platform.
        #expect(await eventually(timeout: .seconds(30)) { (try? await sim.stats().unique) == 1 }, "stderr:\n\(daemon.stderr.suffix(2000))")

        // The clients leave: the ports serve again, and /metrics tells what happened.
        idle.removeAll()
        #expect(await eventually(timeout: .seconds(30)) { (try? tcp.request("GET", "/v1/windows", headers: bearer).status) == 200 })
        var text = ""
        #expect(await eventually(timeout: .seconds(30)) {
            guard let answer = try? LocalHTTPClient(.tcp(port: metricsPort)).request("GET", "/metrics"), answer.status == 200 else { return false }
            text = String(decoding: answer.body, as: UTF8.self)
            return true
        })
        func sample(_ name: String) -> Double? {
            text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last!) }
        }
        #expect(sample("evald_http_connections_refused_total{listener=\"api-tcp\"}") ?? 0 >= Double(Self.idleClients - 64))
        #expect(sample("evald_http_connections_refused_total{listener=\"metrics\"}") ?? 0 >= Double(Self.idleClients - 8))
        let fds = sample("process_open_fds") ?? -1
        let resident = sample("process_resident_memory_bytes") ?? -1
        print("bounded servers: evald after \(2 * Self.idleClients) idle connections: open fds \(Int(fds)), resident \(Int(resident) / 1_048_576) MiB")
        #expect(fds > 0 && fds < 1_024)

        daemon.send(SIGTERM)
        #expect(try await daemon.waitForExit(timeout: .seconds(25)) == 0)
    }
}
