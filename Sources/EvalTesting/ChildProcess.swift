import EvalCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process with its stdout read line by line and every wait bounded:
/// for tests that kill a real process mid-write, or drive a daemon or CLI.
///
/// stdout lines are collected on a background thread; `nextLine(timeout:)`
/// and `waitForLines(_:timeout:)` wait on them with a deadline (never a sleep),
/// on a thread of their own (`onOwnThread`): a waiting test never holds one of
/// the cooperative pool's threads.
/// stderr is kept for failure messages. `deinit` kills a still-running child.
public final class ChildProcess: @unchecked Sendable {
    public struct Timeout: Error, CustomStringConvertible {
        public let what: String
        public let stderr: String
        public var description: String { stderr.isEmpty ? "timed out waiting for \(what)" : "timed out waiting for \(what); child stderr:\n\(stderr)" }

        public init(what: String, stderr: String = "") {
            self.what = what
            self.stderr = stderr
        }
    }

    private let process = Process()
    private let condition = NSCondition()
    private var lines: [String] = []          // guarded by `condition`
    private var consumed = 0                  // guarded by `condition`
    private var stdoutClosed = false          // guarded by `condition`
    private var stderrClosed = false          // guarded by `condition`
    private var errorText = Data()            // guarded by `condition`
    private var outputText = Data()           // guarded by `condition`: all of stdout, as written
    private let exited = DispatchSemaphore(value: 0)
    private var exitStatus: Int32?            // guarded by `condition`

    public var pid: Int32 { process.processIdentifier }

    /// Starts `executable` with `arguments`; `environment` adds to the parent's
    /// (without the test runner's own `NOTIFY_SOCKET`/`WATCHDOG_USEC`: a child
    /// daemon must not talk to the runner's systemd). `directory` is its
    /// working directory; stdin is /dev/null unless given.
    public init(_ executable: URL, arguments: [String] = [], environment: [String: String] = [:],
                directory: String? = nil, stdin: FileHandle? = nil) throws {
        process.executableURL = executable
        process.arguments = arguments
        var inherited = ProcessInfo.processInfo.environment
        inherited["NOTIFY_SOCKET"] = nil
        inherited["WATCHDOG_USEC"] = nil
        process.environment = inherited.merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory, isDirectory: true) }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin ?? FileHandle.nullDevice
        process.terminationHandler = { [weak self] process in
            guard let self else { return }
            condition.withLock { exitStatus = process.terminationStatus }
            exited.signal()
        }
        try process.run()
        startReader(out.fileHandleForReading) { [weak self] chunk in self?.appendStdout(chunk) } onEnd: { [weak self] in
            guard let self else { return }
            condition.withLock {
                stdoutClosed = true
                condition.broadcast()
            }
        }
        startReader(err.fileHandleForReading) { [weak self] chunk in
            guard let self else { return }
            condition.withLock { errorText.append(chunk) }
        } onEnd: { [weak self] in
            guard let self else { return }
            condition.withLock {
                stderrClosed = true
                condition.broadcast()
            }
        }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    private var partial = Data()  // touched only by the stdout reader thread

    private func appendStdout(_ chunk: Data) {
        condition.withLock { outputText.append(chunk) }
        partial.append(chunk)
        var complete: [String] = []
        while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
            complete.append(String(decoding: partial[partial.startIndex..<newline], as: UTF8.self))
            partial.removeSubrange(partial.startIndex...newline)
        }
        guard !complete.isEmpty else { return }
        condition.withLock {
            lines.append(contentsOf: complete)
            condition.broadcast()
        }
    }

    private func startReader(_ handle: FileHandle, onChunk: @escaping @Sendable (Data) -> Void, onEnd: @escaping @Sendable () -> Void) {
        let thread = Thread {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                onChunk(chunk)
            }
            onEnd()
        }
        thread.start()
    }

    /// Every stdout line received so far (complete lines only).
    public var receivedLines: [String] { condition.withLock { lines } }

    /// What the child wrote to stderr so far.
    public var stderr: String { condition.withLock { String(decoding: errorText, as: UTF8.self) } }

    /// What the child wrote to stdout so far, as written (a last line without newline included).
    public var stdout: String { condition.withLock { String(decoding: outputText, as: UTF8.self) } }

    public var isRunning: Bool { process.isRunning }

    /// The next stdout line not yet returned, waiting at most `timeout`.
    /// Returns nil if stdout closed first; throws `Timeout` when time runs out.
    public func nextLine(timeout: Duration = .seconds(10)) async throws -> String? {
        try await onOwnThread { try self.blockingNextLine(timeout: timeout) }
    }

    private func blockingNextLine(timeout: Duration) throws -> String? {
        let deadline = Date().addingTimeInterval(timeout.seconds)
        condition.lock()
        defer { condition.unlock() }
        while consumed >= lines.count {
            if stdoutClosed { return nil }
            if !condition.wait(until: deadline) && consumed >= lines.count && !stdoutClosed {
                throw Timeout(what: "a line on stdout", stderr: String(decoding: errorText, as: UTF8.self))
            }
        }
        consumed += 1
        return lines[consumed - 1]
    }

    /// Waits until at least `count` lines have arrived in total; returns them all.
    @discardableResult
    public func waitForLines(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [String] {
        try await onOwnThread { try self.blockingWaitForLines(count, timeout: timeout) }
    }

    private func blockingWaitForLines(_ count: Int, timeout: Duration) throws -> [String] {
        let deadline = Date().addingTimeInterval(timeout.seconds)
        condition.lock()
        defer { condition.unlock() }
        while lines.count < count {
            if stdoutClosed { break }
            if !condition.wait(until: deadline) && lines.count < count && !stdoutClosed {
                throw Timeout(what: "\(count) lines on stdout (got \(lines.count))", stderr: String(decoding: errorText, as: UTF8.self))
            }
        }
        return lines
    }

    /// Sends `signal` (e.g. `SIGKILL`, `SIGTERM`) to the child.
    public func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the child to exit and for its stdout to be fully read;
    /// returns its exit status (or the signal number if killed).
    /// A child still running at the timeout is killed (SIGKILL) before `Timeout` is thrown.
    @discardableResult
    public func waitForExit(timeout: Duration = .seconds(10)) async throws -> Int32 {
        do {
            return try await onOwnThread { try self.blockingWaitForExit(timeout: timeout) }
        } catch let timeout as Timeout {
            stop()
            throw timeout
        }
    }

    /// Kills the child (SIGKILL) if it still runs, and reaps it.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// How a run to completion ended.
    public struct Outcome: Sendable {
        /// The exit status, or the signal that ended it.
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// stdout's non-empty lines.
        public var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
    }

    /// Runs `executable` to completion. Killed and `Timeout` thrown after `timeout`.
    public static func run(_ executable: URL, arguments: [String] = [], environment: [String: String] = [:],
                           directory: String? = nil, timeout: Duration = .seconds(30)) async throws -> Outcome {
        let child = try ChildProcess(executable, arguments: arguments, environment: environment, directory: directory)
        let status = try await child.waitForExit(timeout: timeout)
        return Outcome(status: status, stdout: child.stdout, stderr: child.stderr)
    }

    private func blockingWaitForExit(timeout: Duration) throws -> Int32 {
        if exited.wait(timeout: .now() + timeout.seconds) == .timedOut {
            throw Timeout(what: "the child to exit", stderr: stderr)
        }
        exited.signal()  // let later calls return at once
        let deadline = Date().addingTimeInterval(timeout.seconds)
        condition.lock()
        defer { condition.unlock() }
        // Both pipes read to their end: a CLI's last words on stderr (its error
        // sentence) can still be in the pipe when its exit is reported.
        while !(stdoutClosed && stderrClosed) {
            if !condition.wait(until: deadline) && !(stdoutClosed && stderrClosed) { break }
        }
        return exitStatus ?? -1
    }

    /// Whether the child was ended by a signal rather than exiting.
    public var wasKilledBySignal: Bool { process.terminationReason == .uncaughtSignal }
}

