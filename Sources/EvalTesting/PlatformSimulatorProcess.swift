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
    private let process: Process
    private let directory: TemporaryDirectory

    /// `http://127.0.0.1:PORT/api/v1`, the agent's `uplink.base_url`.
    public var baseURL: String { "http://127.0.0.1:\(port)/api/v1" }
    public var rootURL: String { "http://127.0.0.1:\(port)" }

    /// Starts the simulator and waits (bounded) until it answers `GET /stats`.
    /// - Parameters:
    ///   - arguments: extra flags, e.g. `["--error-rate", "500=0.3"]`.
    ///   - environment: added to the child's environment, e.g. a log level.
    public static func start(
        appKey: String = "evald-test",
        secret: String = "test-secret-0123456789",
        arguments: [String] = [],
        environment: [String: String] = [:],
        executable: String? = nil,
        timeout: TimeInterval = 20
    ) async throws -> PlatformSimulatorProcess {
        let directory = try TemporaryDirectory(prefix: "platform-sim")
        let secretFile = directory.path("app-secret")
        try Data(secret.utf8).write(to: URL(fileURLWithPath: secretFile))
        let process = Process()
        let simulator = try executable ?? locateExecutable()
        let simulatorArguments = ["--port", "0", "--app-key", appKey, "--app-secret-file", secretFile] + arguments
        process.executableURL = URL(fileURLWithPath: simulator)
        process.arguments = simulatorArguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()

        // First stdout line: "listening on 127.0.0.1:PORT".
        let port: Int
        do {
            port = try await readPort(from: stdout.fileHandleForReading, timeout: timeout) { [pid = process.processIdentifier] in kill(pid, SIGTERM) }
        } catch {
            process.terminate()
            process.waitUntilExit()
            directory.remove()
            throw error
        }
        let sim = PlatformSimulatorProcess(port: port, appKey: appKey, secretFile: secretFile, process: process, directory: directory)
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if (try? await sim.stats()) != nil { return sim }
            guard Date() < deadline, process.isRunning else {
                sim.stop()
                throw Failure(description: "platform-sim on port \(port) did not answer within \(timeout) s")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private init(port: Int, appKey: String, secretFile: String, process: Process, directory: TemporaryDirectory) {
        self.port = port
        self.appKey = appKey
        self.secretFile = secretFile
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
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning, Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        directory.remove()
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
                    continuation.resume(throwing: error)
                } else if let http = response as? HTTPURLResponse, http.statusCode != 200 {
                    continuation.resume(throwing: Failure(description: "\(method) \(path) answered \(http.statusCode)"))
                } else {
                    continuation.resume(returning: data ?? Data())
                }
            }.resume()
        }
    }

    /// Reads the first line; on timeout `giveUp` kills the child, which ends the read with EOF.
    private static func readPort(from handle: FileHandle, timeout: TimeInterval, giveUp: @escaping @Sendable () -> Void) async throws -> Int {
        let task = Task.detached { () -> String in
            var line = Data()
            while true {
                let chunk = handle.readData(ofLength: 1)
                if chunk.isEmpty || chunk.first == UInt8(ascii: "\n") { break }
                line.append(chunk)
            }
            return String(decoding: line, as: UTF8.self)
        }
        let timer = Task {
            try await Task.sleep(for: .seconds(timeout))
            giveUp()
        }
        let line = await task.value
        timer.cancel()
        guard let portText = line.split(separator: ":").last, let port = Int(portText), line.hasPrefix("listening on ") else {
            throw Failure(description: "platform-sim printed '\(line)' instead of 'listening on HOST:PORT'")
        }
        return port
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
