import EvalAgent
import EvalCore
import EvalCounterAPI
import EvalOperator
import EvalTesting
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// Issue #24 item 5, on real loopback sockets: the counter API's port and
/// `/metrics` close connections over their cap at once, close idle ones
/// after the idle or header timeout, check `Host`, confine per-window tokens
/// and cap event streams. Waits are for conditions, bounded in attempts.
@Suite("Local servers are bounded", .serialized)
struct BoundedServersTests {
    static let token = "bounded-servers-token-0123"
    static let w01Token = "bounded-w01-token-0123456"

    /// Two windows, no devices; every open is accepted.
    final class TwoWindows: CounterBackend {
        func check(_ opening: ServiceOpening) async -> ServiceOpeningOutcome {
            ["W01", "W02"].contains(opening.windowCode) ? .opened : .unknownWindow
        }
        func openService(_ opening: ServiceOpening) async -> ServiceOpeningOutcome { await check(opening) }
        func closeService(windowCode: String, projectNo: String, because close: ServiceClose) async {}
        func logIn(windowCode: String, staff: StaffMember) async -> Bool { ["W01", "W02"].contains(windowCode) }
        func logOut(windowCode: String) async -> Bool { ["W01", "W02"].contains(windowCode) }
        func windows() async -> [WindowSnapshot] {
            ["W01", "W02"].map { WindowSnapshot(windowCode: $0, hallCode: "H1", staff: nil, devices: []) }
        }
    }

    struct Running {
        let port: Int
        let server: CounterAPIServer<ContinuousClock>
        let api: CounterAPI<ContinuousClock>
        let group: ServiceGroup
        let task: Task<Void, any Error>
        let dir: TemporaryDirectory

        func stop() async {
            await group.triggerGracefulShutdown()
            _ = await task.result
            dir.remove()
        }

        /// One request on a fresh connection (`Connection: close`): the status.
        /// On a thread of its own: the server answers on the cooperative pool
        /// this would otherwise block.
        func request(_ method: String, _ path: String, token: String = BoundedServersTests.token, host: String? = nil,
                     body: String? = nil) async throws -> Int? {
            let port = self.port
            return try await onOwnThread { try Self.blockingRequest(port: port, method, path, token: token, host: host, body: body) }
        }

        static func blockingRequest(port: Int, _ method: String, _ path: String, token: String, host: String?, body: String?) throws -> Int? {
            let connection = try LoopbackConnection(port: port)
            var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host ?? "127.0.0.1:\(port)")\r\nAuthorization: Bearer \(token)\r\nConnection: close\r\n"
            if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
            connection.send(head + "\r\n" + (body ?? ""))
            guard case .closed(let text) = connection.read(wait: .seconds(20)) else { return nil }
            return LoopbackConnection.status(text)
        }
    }

    static func start(limits: ConnectionLimits, maxEventStreams: Int = 64) async throws -> Running {
        let dir = try TemporaryDirectory(prefix: "evald-bounded")
        let port = freeLoopbackPort()
        let api = CounterAPI(clock: ContinuousClock(), backend: TwoWindows(), events: EventBroadcaster(maxSubscribers: maxEventStreams),
                             logger: Logger(label: "test"))
        let server = CounterAPIServer(
            api: api,
            configuration: .init(socketPath: dir.path("api.sock"), socketGroup: nil, listen: (host: "127.0.0.1", port: port), token: token,
                                 limits: limits, allowedHosts: ["evald.counter.local"],
                                 windowTokens: [WindowToken(token: w01Token, windows: ["W01"])]),
            logger: Logger(label: "test"))
        let group = ServiceGroup(services: [server], logger: Logger(label: "test"))
        let task = Task { try await group.run() }
        let running = Running(port: port, server: server, api: api, group: group, task: task, dir: dir)
        let up = await eventually(timeout: .seconds(30)) { (try? await running.request("GET", "/v1/windows")) == 200 }
        #expect(up, "the API did not come up on 127.0.0.1:\(port)")
        // The probes above have closed (Connection: close): start from no connection.
        #expect(await eventually(timeout: .seconds(30)) { server.tcpGate.openConnections == 0 })
        return running
    }

    @Test func theConnectionOverTheCapIsClosedAtOnceAndCounted() async throws {
        let run = try await Self.start(limits: ConnectionLimits(maxConnections: 3, idleTimeout: .seconds(600), headerTimeout: .seconds(600)))
        var held: [LoopbackConnection] = []
        for _ in 0..<3 { held.append(try LoopbackConnection(port: run.port)) }
        #expect(await eventually(timeout: .seconds(30)) { run.server.tcpGate.openConnections == 3 })
        let refusedBefore = run.server.tcpGate.refusedConnections
        // The fourth is accepted by the kernel, then closed by evald before it reads a byte.
        let fourth = try LoopbackConnection(port: run.port)
        fourth.send("GET /v1/windows HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(Self.token)\r\n\r\n")
        guard case .closed(let text) = await Self.off(fourth).read(wait: .seconds(20)) else { Issue.record("the fourth connection stayed open"); return }
        #expect(text.isEmpty, "closed without an answer: \(text)")
        #expect(run.server.tcpGate.refusedConnections == refusedBefore + 1)
        // The three held ones are still served.
        held[0].send("GET /v1/windows HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(Self.token)\r\nConnection: close\r\n\r\n")
        guard case .closed(let answer) = await Self.off(held[0]).read(wait: .seconds(20)) else { Issue.record("no answer on a held connection"); return }
        #expect(LoopbackConnection.status(answer) == 200)
        // Its place is free again once the client has closed it too (evald only half-closes after `Connection: close`).
        held.removeFirst()
        #expect(await eventually(timeout: .seconds(30)) { run.server.tcpGate.openConnections == 2 })
        #expect(try await run.request("GET", "/v1/windows") == 200)
        held.removeAll()
        await run.stop()
    }

    @Test func idleAndHeadlessConnectionsAreClosedAfterTheirTimeouts() async throws {
        let run = try await Self.start(limits: ConnectionLimits(maxConnections: 8, idleTimeout: .milliseconds(300), headerTimeout: .milliseconds(300)))
        // Connected, never a byte: closed at the header timeout.
        let silent = try LoopbackConnection(port: run.port)
        #expect(await Self.off(silent).read(wait: .seconds(20)) == .closed(""))
        // Half a request head (slowloris): closed the same way.
        let slow = try LoopbackConnection(port: run.port)
        slow.send("GET /v1/windows HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        #expect(await Self.off(slow).read(wait: .seconds(20)) == .closed(""))
        // Answered, kept alive, then idle: closed after the idle timeout.
        let kept = try LoopbackConnection(port: run.port)
        kept.send("GET /v1/windows HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(Self.token)\r\n\r\n")
        guard case .closed(let text) = await Self.off(kept).read(wait: .seconds(20)) else { Issue.record("a kept-alive idle connection stayed open"); return }
        #expect(LoopbackConnection.status(text) == 200, "answered before it was closed: \(text)")
        #expect(run.server.tcpGate.timedOutConnections == 3)
        #expect(await eventually(timeout: .seconds(30)) { run.server.tcpGate.openConnections == 0 })
        await run.stop()
    }

    @Test func anEventStreamOutlivesTheIdleTimeoutAndTheirNumberIsCapped() async throws {
        let run = try await Self.start(limits: ConnectionLimits(maxConnections: 8, idleTimeout: .milliseconds(300), headerTimeout: .seconds(600)),
                                       maxEventStreams: 1)
        let stream = try LoopbackConnection(port: run.port)
        stream.send("GET /v1/events?windowCode=W01 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(Self.token)\r\n\r\n")
        #expect(await eventually(timeout: .seconds(30)) { run.api.events.subscriberCount == 1 })
        // A second stream is refused while the first is open.
        #expect(try await run.request("GET", "/v1/events?windowCode=W02") == 503)
        // A connection answered after the stream began goes idle and is closed
        // by its timer; the stream, idle for longer, is not (no timer while an
        // answer streams).
        let kept = try LoopbackConnection(port: run.port)
        kept.send("GET /v1/windows HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(Self.token)\r\n\r\n")
        guard case .closed = await Self.off(kept).read(wait: .seconds(20)) else { Issue.record("the idle connection stayed open"); return }
        #expect(run.server.tcpGate.timedOutConnections == 1)
        #expect(try await run.request("POST", "/v1/services", body: #"{"windowCode":"W01","projectNo":"MS-1","countdownSeconds":30}"#) == 201)
        let serviceId = try #require(await run.api.waitingServiceId(at: "W01"))
        #expect(try await run.request("DELETE", "/v1/services/\(serviceId)") == 200)
        guard case .open(let text) = await Self.off(stream).read(until: "event: cancelled", wait: .seconds(20)) else { Issue.record("the stream was closed"); return }
        #expect(text.contains(": subscribed") && text.contains("event: cancelled"), "\(text)")
        await run.stop()
    }

    @Test func foreignHostsAreRefusedAndAWindowTokenActsAtItsWindowOnly() async throws {
        let run = try await Self.start(limits: ConnectionLimits())
        #expect(try await run.request("GET", "/v1/windows", host: "evil.example.com:\(run.port)") == 421)
        #expect(try await run.request("GET", "/v1/windows", host: "evald.counter.local:\(run.port)") == 200)
        #expect(try await run.request("GET", "/v1/windows", host: "localhost") == 200)
        let open = { (window: String) in #"{"windowCode":"\#(window)","projectNo":"MS-\#(window)","countdownSeconds":30}"# }
        #expect(try await run.request("POST", "/v1/services", token: Self.w01Token, body: open("W01")) == 201)
        #expect(try await run.request("POST", "/v1/services", token: Self.w01Token, body: open("W02")) == 403)
        #expect(try await run.request("PUT", "/v1/windows/W02/staff", token: Self.w01Token, body: #"{"loginName":"lisi","name":"李四"}"#) == 403)
        #expect(try await run.request("PUT", "/v1/windows/W01/staff", token: Self.w01Token, body: #"{"loginName":"lisi","name":"李四"}"#) == 200)
        #expect(try await run.request("GET", "/v1/events", token: Self.w01Token) == 403, "a window token watches its windows only")
        // The main token opens at W02; the W01 token can neither see nor cancel it.
        #expect(try await run.request("POST", "/v1/services", body: open("W02")) == 201)
        let w02 = try #require(await run.api.waitingServiceId(at: "W02"))
        #expect(try await run.request("GET", "/v1/services/\(w02)", token: Self.w01Token) == 404)
        #expect(try await run.request("DELETE", "/v1/services/\(w02)", token: Self.w01Token) == 404)
        #expect(try await run.request("DELETE", "/v1/services/\(w02)") == 200)
        await run.stop()
    }

    @Test func metricsRefuseTheConnectionOverTheCapAndCloseIdleOnes() async throws {
        let metrics = AgentMetrics()
        let bound = Mutex<Int?>(nil)
        let server = MetricsServer(address: HostAndPort(host: "127.0.0.1", port: 0), metrics: metrics,
                                   limits: ConnectionLimits(maxConnections: 2, idleTimeout: .milliseconds(300), headerTimeout: .seconds(600)),
                                   logger: Logger(label: "test"), onBound: { port in bound.withLock { $0 = port } })
        metrics.addListener(server.gate)
        let group = ServiceGroup(services: [server], logger: Logger(label: "test"))
        let task = Task { try await group.run() }
        #expect(await eventually(timeout: .seconds(30)) { bound.withLock { $0 } != nil })
        let port = try #require(bound.withLock { $0 })
        let held = [try LoopbackConnection(port: port), try LoopbackConnection(port: port)]
        #expect(await eventually(timeout: .seconds(30)) { server.gate.openConnections == 2 })
        let third = try LoopbackConnection(port: port)
        #expect(await Self.off(third).read(wait: .seconds(20)) == .closed(""))
        #expect(server.gate.refusedConnections == 1)
        // A scrape on a held connection: the refusal is in it; then, idle, the connection is closed.
        held[0].send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        guard case .closed(let text) = await Self.off(held[0]).read(wait: .seconds(20)) else { Issue.record("idle scrape connection stayed open"); return }
        #expect(text.contains("evald_http_connections_refused_total{listener=\"metrics\"} 1"), "\(text)")
        #expect(server.gate.timedOutConnections == 1)
        await group.triggerGracefulShutdown()
        _ = await task.result
    }

    @Test func theLimitsAreConfiguredInApiAndMetrics() throws {
        let configuration = try ConfigurationLoader.parse(text: ConfigurationTests.minimal + """

            [api]
            listen = "127.0.0.1:8765"
            max_connections = 32
            idle_timeout_seconds = 5
            header_timeout_seconds = 2
            max_event_streams = 4
            writes_per_second = 2
            write_burst = 3
            allowed_hosts = ["Evald.Counter.Local"]
            window_tokens = [{ token_file = "/etc/evald/api-token-w01", windows = ["W01"] }]

            [metrics]
            max_connections = 4
            idle_timeout_seconds = 30
            header_timeout_seconds = 3
            """).get()
        let api = configuration.api
        #expect(api.maxConnections == 32 && api.idleTimeoutSeconds == 5 && api.headerTimeoutSeconds == 2 && api.maxEventStreams == 4)
        #expect(api.writesPerSecond == 2 && api.writeBurst == 3 && api.allowedHosts == ["evald.counter.local"])
        #expect(api.windowTokens == [WindowTokenEntry(tokenFile: "/etc/evald/api-token-w01", windows: ["W01"])])
        #expect(configuration.metricsLimits == ConnectionLimits(maxConnections: 4, idleTimeout: .seconds(30), headerTimeout: .seconds(3)))
        let bad = ConfigurationLoader.parse(text: ConfigurationTests.minimal + """

            [api]
            max_connections = 0
            allowed_hosts = ["http://evil.example.com"]
            window_tokens = [{ token_file = "relative", windows = [] }]
            """)
        for key in ["[api] max_connections", "[api] allowed_hosts", "[api] window_tokens"] {
            #expect(bad.errors.contains { $0.location == key }, "no error at \(key): \(bad.errors)")
        }
        // A token for a window evald does not serve is a mistake, said at --check-config.
        let unknown = ConfigurationLoader.parse(text: ConfigurationTests.minimal + """

            [api]
            listen = "127.0.0.1:8765"
            window_tokens = [{ token_file = "/etc/evald/api-token-w09", windows = ["W09"] }]
            """)
        #expect(unknown.errors.contains { $0.location == "[api] window_tokens" && $0.message.contains("W09") }, "\(unknown.errors)")
    }
}

extension BoundedServersTests {
    /// A connection whose blocking calls are made on a thread of their own.
    struct Off {
        let connection: LoopbackConnection
        func read(until needle: String? = nil, wait: Duration) async -> LoopbackConnection.Outcome {
            let connection = self.connection
            return (try? await onOwnThread { connection.read(until: needle, wait: wait) }) ?? .open("")
        }
    }

    static func off(_ connection: LoopbackConnection) -> Off { Off(connection: connection) }
}

extension CounterAPI {
    /// The service waiting at `windowCode` (tests).
    func waitingServiceId(at windowCode: String) async -> String? {
        await windows().first { $0.0.windowCode == windowCode }?.1?.serviceId
    }
}
