#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// glibc ≥ 2.34 (Debian 12: 2.36) has it, but its header declares it only
/// under `_DEFAULT_SOURCE`, which the Glibc module map does not set.
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func spawnActionsCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32

/// How one run of the alert command ended.
public enum AlertCommandOutcome: Hashable, Sendable {
    case exited(status: Int32)
    case killedBySignal(Int32)
    /// Still running at the timeout: its process group was killed.
    case timedOut
    case failedToStart(errno: Int32)

    public var succeeded: Bool { self == .exited(status: 0) }
}

/// Runs a command with bytes on its stdin and a hard timeout.
///
/// posix_spawn rather than Foundation.Process: the child gets its own process
/// group, so a hung shell script is killed together with whatever it started
/// (`kill(-pgid, SIGKILL)`), and stdout/stderr go to /dev/null so a chatty
/// command can never block on a full pipe.
///
/// The child starts clean: a fixed environment (`environment`: nothing of
/// evald's, whose `CREDENTIALS_DIRECTORY` leads to the app secret), no
/// descriptor but its stdin, stdout and stderr (a socket or the queue file
/// left without CLOEXEC by any library is not its business), every signal at
/// its default disposition (evald ignores SIGPIPE) and none blocked.
public struct AlertCommandRunner: Sendable {
    /// All the child's environment: enough for a shell script to find its tools.
    public static let environment = ["PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"]

    public init() {
        // A command that exits without reading stdin must not kill the agent with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
    }

    public func run(_ argv: [String], stdin input: [UInt8], timeout: Duration) async -> AlertCommandOutcome {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return .failedToStart(errno: errno) }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        // Neither end may leak into other children; dup2 onto fd 0 clears the flag for ours.
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, readEnd, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        _ = spawnActionsCloseFrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var everySignal = sigset_t(), noSignal = sigset_t()
        sigfillset(&everySignal)
        sigemptyset(&noSignal)
        posix_spawnattr_setsigdefault(&attributes, &everySignal)
        posix_spawnattr_setsigmask(&attributes, &noSignal)

        var pid: pid_t = 0
        let cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        let cEnvironment: [UnsafeMutablePointer<CChar>?] = Self.environment.map { strdup($0) } + [nil]
        defer { cEnvironment.forEach { free($0) } }
        let spawnError = posix_spawn(&pid, argv.first ?? "", &actions, &attributes, cArguments, cEnvironment)
        close(readEnd)
        guard spawnError == 0 else {
            close(writeEnd)
            return .failedToStart(errno: spawnError)
        }

        // The payload is small (a few KiB, under the pipe buffer); non-blocking so
        // that a command which never reads cannot stall us.
        _ = fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK)
        var offset = 0
        while offset < input.count {
            let written = input[offset...].withUnsafeBytes { write(writeEnd, $0.baseAddress, $0.count) }
            if written <= 0 { break }
            offset += written
        }
        close(writeEnd)

        // Waiting, not polling: a thread of its own sleeps in waitpid while
        // a timer task sleeps until the deadline; whichever ends first wins.
        // At the deadline (or on cancellation) the whole group is killed,
        // which ends the wait.
        let child = pid
        return await withTaskGroup(of: AlertCommandOutcome?.self) { group in
            group.addTask { await Self.reap(child) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            if let exited = await group.next() ?? nil {
                group.cancelAll()
                return exited
            }
            kill(-child, SIGKILL)
            _ = await group.next()
            return .timedOut
        }
    }

    /// The child's end, waited for on a thread of its own (waitpid blocks).
    private static func reap(_ pid: pid_t) async -> AlertCommandOutcome {
        await withCheckedContinuation { continuation in
            Thread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 {
                    guard errno == EINTR else { return continuation.resume(returning: .exited(status: -1)) }
                }
                continuation.resume(returning: outcome(status))
            }.start()
        }
    }

    /// Decodes a wait status (the WIFEXITED/WEXITSTATUS macros are not imported).
    static func outcome(_ status: Int32) -> AlertCommandOutcome {
        let signal = status & 0x7F
        return signal == 0 ? .exited(status: (status >> 8) & 0xFF) : .killedBySignal(signal)
    }
}
