#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import EvalAPIClient
import EvalTesting
import Foundation
import Synchronization

/// `evald-bench api`: the business-system path through a real evald — open a
/// service over the API's Unix socket, press the simulated keypad, and time
/// until an SSE client sees the `rated` event (the human excluded). The
/// evaluations go on to platform-sim as usual.
struct APIBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "open→press→rated latency through evald's counter API and the simulated keypad."
    )

    @Option(help: "Services opened and rated one after another.")
    var count = 1_000

    @Option(help: "Load run: windows opening services at the same time (0 skips it).")
    var windows = 50

    @Option(help: "Load run: opens per second at each window.")
    var rate = 10

    @Option(help: "Load run: seconds.")
    var seconds = 60

    func run() async throws {
        let dir = try TemporaryDirectory(prefix: "evald-bench-api")
        defer { dir.remove() }
        let sim = try await PlatformSimulatorProcess.start(appKey: "bench-key", secret: "bench-secret-0123456789")
        defer { sim.stop() }
        let socket = dir.path("api.sock")
        let fifo = dir.path("keypad.fifo")
        try Data("bench-secret-0123456789\n".utf8).write(to: URL(fileURLWithPath: dir.path("app-secret")))
        // The package root (for config/): three levels above .build/<triple>/debug, else the working directory.
        var root = BuiltProducts.directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        if !FileManager.default.fileExists(atPath: root.appendingPathComponent("config/scan-rules.json").path) {
            root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        }
        let config = """
        [agent]
        state_dir = "\(dir.path("state"))"
        log_level = "warning"
        metrics_listen = ""
        [platform]
        base_url = "\(sim.baseURL)"
        app_key = "bench-key"
        app_secret_file = "\(dir.path("app-secret"))"
        [[window]]
        area_code = "533103"
        window_code = "W01"
        devices = ["simulated-keypad"]
        \((2...max(2, windows)).map { "[[window]]\narea_code = \"533103\"\nwindow_code = \"W\(String(format: "%02d", $0))\"\n" }.joined())
        [devices]
        simulated_keypad = "\(fifo)"
        evdev = false
        libusb = false
        hidraw = false
        [sessions]
        # Presses come back to back: no bounce or minimum interval to wait out.
        debounce_ms = 0
        min_interval_ms = 0
        calendar_dir = "\(root.appendingPathComponent("config/calendars").path)"
        scan_rules_file = "\(root.appendingPathComponent("config/scan-rules.json").path)"
        [api]
        socket = "\(socket)"
        opens_per_second = 1000
        open_burst = 1000
        max_body_bytes = 4096
        """
        try Data(config.utf8).write(to: URL(fileURLWithPath: dir.path("evald.toml")))
        let keypad = try Keypad(path: fifo)
        let evald = try ChildProcess(try BuiltProducts.executable(named: "evald"), arguments: ["--config", dir.path("evald.toml")])
        // SIGTERM at the end; a child still running when `evald` goes is killed by its deinit.
        defer {
            keypad.close()
            evald.send(SIGTERM)
        }
        try await keypad.connect(timeout: .seconds(30))
        let api = LocalHTTPClient(.unix(socket))
        let deadline = ContinuousClock.now + .seconds(30)
        while (try? api.request("GET", "/v1/windows").status) != 200 {
            guard ContinuousClock.now < deadline else { throw ValidationError("evald's API did not answer within 30 s") }
            try await Task.sleep(for: .milliseconds(50))
        }
        let events = try EventStreamClient(api, path: "/v1/events?windowCode=W01")
        defer { events.close() }
        guard events.waitUntilSubscribed(timeout: .seconds(10)) else { throw ValidationError("no event stream") }

        print("evald-bench api: \(count) services, Unix socket, simulated keypad, one SSE client")
        let clock = ContinuousClock()
        var latencies: [Duration] = []
        var errors = 0
        for i in 0..<count {
            let start = clock.now
            let opened = try api.request("POST", "/v1/services", json: #"{"windowCode":"W01","projectNo":"BENCH-\#(i)","countdownSeconds":60}"#)
            guard opened.status == 201, let id = opened.json?["serviceId"] as? String else { errors += 1; continue }
            keypad.press(1 + i % 5)
            guard events.nextEvent(after: i - errors, timeout: .seconds(20)).map({ $0.name == "rated" && $0.json["serviceId"] == id }) == true else {
                errors += 1
                continue
            }
            latencies.append(start.duration(to: clock.now))
        }
        latencies.sort()
        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return .nan }
            let d = latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
            return Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
        }
        print(String(format: "api: open→rated p50 %.1f ms", percentile(0.50)))
        print(String(format: "api: open→rated p99 %.1f ms", percentile(0.99)))
        print("api: \(latencies.count) rated, errors \(errors)")
        events.close()
        if windows > 0 { try load(api) }
    }

    /// `windows` windows each opening `rate` services a second for `seconds`
    /// (countdown 5 s, nobody presses): every open must be answered 201, and
    /// every service must end — replaced by the window's next one, or expired.
    func load(_ api: LocalHTTPClient) throws {
        let events = try EventStreamClient(api, path: "/v1/events")
        defer { events.close() }
        guard events.waitUntilSubscribed(timeout: .seconds(10)) else { throw ValidationError("no event stream") }
        let opened = Counter(), failed = Counter()
        let interval = 1.0 / Double(rate)
        let start = Date()
        let done = Counter()
        for w in 1...windows {
            Thread {
                defer { done.add() }
                let code = String(format: "W%02d", w)
                var next = start
                var i = 0
                while Date().timeIntervalSince(start) < Double(seconds) {
                    let answer = try? api.request("POST", "/v1/services", json: #"{"windowCode":"\#(code)","projectNo":"LOAD-\#(code)-\#(i)","countdownSeconds":5}"#)
                    if answer?.status == 201 { opened.add() } else { failed.add() }
                    i += 1
                    next += interval
                    let wait = next.timeIntervalSinceNow
                    if wait > 0 { Thread.sleep(forTimeInterval: wait) }
                }
            }.start()
        }
        while done.value < windows { Thread.sleep(forTimeInterval: 0.1) }
        // The last service of each window expires 5 s later: wait for every end.
        let deadline = Date().addingTimeInterval(30)
        while events.received.count < opened.value, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        let ended = events.received
        let replaced = ended.filter { $0.name == "cancelled" && $0.json["reason"] == "replaced" }.count
        let expired = ended.filter { $0.name == "expired" }.count
        let elapsed = Date().timeIntervalSince(start)
        print("api: \(windows) windows × \(rate) opens/s for \(seconds) s, errors \(failed.value)")
        print(String(format: "api: %d opened (%.0f/s), ended: %d replaced, %d expired, %d still waiting (%.0f s)",
                     opened.value, Double(opened.value) / Double(seconds), replaced, expired, opened.value - replaced - expired, elapsed))
    }
}

/// A thread-safe count for the load run's threads.
final class Counter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
