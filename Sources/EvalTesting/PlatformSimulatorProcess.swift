import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The built `platform-sim` running as a real child process on a free
/// loopback port: tests and benchmarks use it as the provincial platform.
///
///     let sim = try await PlatformSimulatorProcess.start(secret: "s3cret")
///     defer { sim.stop() }
///     … base_url = sim.baseURL …
///     let stats = try await sim.stats()
public final class PlatformSimulatorProcess: @unchecked Sendable {
    public struct Stats: Decodable, Sendable, Equatable {
        public var received: Int
        public var unique: Int
        public var duplicates: Int
        public var rejected: Int
        public var requests: Int
        public var unauthorized: Int
        public var malformed: Int
        public var tooLarge: Int
        public var injectedErrors: Int
        public var throttled: Int
        public var dropped: Int
        public var garbage: Int
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public let port: Int
    public let appKey: String
    public let secretFile: String
    private let stderrPath: String
    private let process: Process
    private let directory: TemporaryDirectory

    /// `http://127.0.0.1:PORT/api/v1`, the agent's `uplink.base_url`.
    public var baseURL: String { "http://127.0.0.1:\(port)/api/v1" }
    public var rootURL: String { "http://127.0.0.1:\(port)" }

    /// Starts the simulator and waits (bounded) until it answers `GET /stats`.
    ///
    /// Its stdout and stderr go to files in its own directory, never to a pipe
    /// nobody reads; when it dies, every error this type throws says how
    /// (exit status or signal) and quotes the end of its stderr.
    /// - Parameters:
    ///   - arguments: extra flags, e.g. `["--error-rate", "500=0.3"]`.
    ///   - environment: added to the child's environment, e.g. a log level.
    public static func start(
        appKey: String = "evald-test",
        secret: String = "test-secret-0123456789",
        arguments: [String] = [],
        environment: [String: String] = [:],
        executable: String? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> PlatformSimulatorProcess {
        let directory = try TemporaryDirectory(prefix: "platform-sim")
        let secretFile = directory.path("app-secret")
        try Data(secret.utf8).write(to: URL(fileURLWithPath: secretFile))
        let stdoutPath = directory.path("stdout")
        let stderrPath = directory.path("stderr")
        FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let process = Process()
        let simulator = try executable ?? locateExecutable()
        process.executableURL = URL(fileURLWithPath: simulator)
        process.arguments = ["--port", "0", "--app-key", appKey, "--app-secret-file", secretFile] + arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()

        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        // First stdout line: "listening on 127.0.0.1:PORT".
        var port: Int?
        while port == nil {
            let text = (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? ""
            if let newline = text.firstIndex(of: "\n") {
                let line = String(text[..<newline])
                guard line.hasPrefix("listening on "), let portText = line.split(separator: ":").last, let bound = Int(portText) else {
                    Self.end(process)
                    let failure = Failure(description: "platform-sim printed '\(line)' instead of 'listening on HOST:PORT'")
                    directory.remove()
                    throw failure
                }
                port = bound
                break
            }
            if !process.isRunning || clock.now >= deadline {
                Self.end(process)
                let failure = Failure(description: "platform-sim did not print its port within \(timeout): "
                    + Self.fate(of: process, stderrPath: stderrPath))
                directory.remove()
                throw failure
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        let sim = PlatformSimulatorProcess(port: port!, appKey: appKey, secretFile: secretFile, stderrPath: stderrPath,
                                           process: process, directory: directory)
        while true {
            do {
                _ = try await sim.stats()
                return sim
            } catch {
                guard clock.now < deadline, process.isRunning else {
                    let failure = Failure(description: "platform-sim on port \(sim.port) did not answer within \(timeout) (\(error)): "
                        + Self.fate(of: process, stderrPath: stderrPath))
                    sim.stop()
                    throw failure
                }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private init(port: Int, appKey: String, secretFile: String, stderrPath: String, process: Process, directory: TemporaryDirectory) {
        self.port = port
        self.appKey = appKey
        self.secretFile = secretFile
        self.stderrPath = stderrPath
        self.process = process
        self.directory = directory
    }

    /// The simulator's pid, for benchmarks that read its resource use.
    public var pid: Int32 { process.processIdentifier }

    public func stats() async throws -> Stats {
        try JSONDecoder().decode(Stats.self, from: try await request("GET", "/stats"))
    }

    /// The unique evaluation ids the platform holds, in arrival order.
    public func uniqueIds() async throws -> [String] {
        struct Listing: Decodable { var ids: [String] }
        return try JSONDecoder().decode(Listing.self, from: try await request("GET", "/evaluations")).ids
    }

    /// Replaces the injected faults, e.g. `["errorRates": ["500": 0.5]]` as JSON text.
    public func setFaults(_ json: String) async throws {
        _ = try await request("POST", "/faults", body: Data(json.utf8))
    }

    public func clearFaults() async throws { try await setFaults("{}") }

    /// Stops the process (SIGTERM, then SIGKILL after 5 s) and removes its files.
    public func stop() {
        Self.end(process)
        directory.remove()
    }

    /// What became of the process: "running", or how it ended, with the end of its stderr.
    public var fate: String { Self.fate(of: process, stderrPath: stderrPath) }

    private static func end(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(5)
        while process.isRunning, clock.now < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    private static func fate(of process: Process, stderrPath: String) -> String {
        let state: String
        if process.isRunning {
            state = "still running (pid \(process.processIdentifier))"
        } else if process.terminationReason == .uncaughtSignal {
            state = "killed by signal \(process.terminationStatus)"
        } else {
            state = "exited with status \(process.terminationStatus)"
        }
        let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        let tail = stderr.split(separator: "\n", omittingEmptySubsequences: false).suffix(20).joined(separator: "\n")
        return tail.isEmpty ? state : "\(state); its stderr ends:\n\(tail)"
    }

    deinit { if process.isRunning { process.terminate() } }

    // MARK: Helpers

    private func request(_ method: String, _ path: String, body: Data? = nil) async throws -> Data {
        var request = URLRequest(url: URL(string: rootURL + path)!)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 10
        if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        return try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: self.process.isRunning ? error
                        : Failure(description: "\(method) \(path): \(error.localizedDescription); platform-sim \(self.fate)"))
                } else if let http = response as? HTTPURLResponse, http.statusCode != 200 {
                    continuation.resume(throwing: Failure(description: "\(method) \(path) answered \(http.statusCode)"))
                } else {
                    continuation.resume(returning: data ?? Data())
                }
            }.resume()
        }
    }

    /// `$PLATFORM_SIM`, else `platform-sim` next to the running test or bench binary.
    public static func locateExecutable() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["PLATFORM_SIM"] { return explicit }
        var candidates: [URL] = []
        let selfExe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        candidates.append(selfExe.deletingLastPathComponent())
        candidates.append(Bundle.main.bundleURL)
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for directory in candidates {
            var dir = directory
            // The test binary lives inside evaldPackageTests.xctest/… on some layouts.
            for _ in 0..<4 {
                let path = dir.appendingPathComponent("platform-sim").path
                if FileManager.default.isExecutableFile(atPath: path) { return path }
                dir = dir.deletingLastPathComponent()
            }
        }
        throw Failure(description: "platform-sim not found next to \(selfExe.path); build it (`swift build`) or set PLATFORM_SIM")
    }
}
