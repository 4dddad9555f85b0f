#if canImport(Glibc)
import Glibc
#endif
import EvalCore
import EvalQueue
import Foundation

/// What evalctl needs to find the daemon's files and talk to it: paths from
/// the configuration, whether evald runs, and the queue opened read-only.
public struct OperatorContext: Sendable {
    public enum Daemon: Sendable, Equatable {
        /// The instance lock is held: evald runs (status is its last report).
        case running(pid: Int32?, status: AgentStatus?)
        case stopped
    }

    public var configuration: AgentConfiguration
    public var stateDirectory: String { configuration.agent.stateDirectory }
    public var queuePath: String { configuration.queue.resolvedPath(stateDirectory: stateDirectory) }
    public var statusPath: String { configuration.agent.resolvedStatusFile }
    public var lockPath: String { configuration.agent.resolvedLockFile }
    public var controlSocketPath: String { ControlSocket.path(stateDirectory: stateDirectory) }
    public var auditLog: AuditLog { AuditLog(stateDirectory: stateDirectory) }

    public init(configuration: AgentConfiguration) {
        self.configuration = configuration
    }

    /// Loads the configuration for an operator command. Only hard errors
    /// (unreadable file) stop evalctl; a config with semantic errors still
    /// names the state directory, which is all most verbs need.
    public static func load(configPath: String, stateDirectory: String? = nil) throws -> OperatorContext {
        let check = ConfigurationLoader.load(path: configPath)
        var configuration: AgentConfiguration
        if let usable = check.configuration {
            configuration = usable
        } else if check.issues.contains(where: { $0.location == "file" || $0.location == "syntax" }) && stateDirectory == nil {
            // A missing or unreadable file is said as such ("file not found: …"), not as a location "file: …".
            let lines = check.errors.map { $0.location == "file" ? $0.message : $0.description }
            throw OperatorError(lines.joined(separator: "\n") + "\n(use --state-dir to read a queue without a configuration)")
        } else {
            configuration = AgentConfiguration()
        }
        if let stateDirectory {
            configuration.agent.stateDirectory = stateDirectory
            configuration.agent.lockFile = nil
            configuration.agent.statusFile = nil
            configuration.queue.path = nil
        }
        return OperatorContext(configuration: configuration)
    }

    /// Running, stopped, or cannot tell — what `evalctl status` reports and
    /// exits with (0 / 3 / 4, as `systemctl status`).
    public enum Liveness: Sendable, Equatable {
        case running(pid: Int32?, status: AgentStatus?)
        case stopped
        case cannotTell(reason: String)
    }

    public func liveness() -> Liveness {
        switch InstanceLock.probe(lockPath) {
        case .held(let pid): return .running(pid: pid, status: try? AgentStatus.read(from: statusPath))
        case .free: return .stopped
        case .cannotTell(let code):
            let reason = code == EACCES
                ? "permission denied reading \(lockPath): run evalctl with sudo or as a member of group evald"
                : "cannot open \(lockPath): \(String(cString: strerror(code)))"
            return .cannotTell(reason: reason)
        }
    }

    public func daemon() -> Daemon {
        let probe = InstanceLock.holder(of: lockPath)
        guard probe.held else { return .stopped }
        let status = try? AgentStatus.read(from: statusPath)
        return .running(pid: probe.pid, status: status)
    }

    /// The queue, read-only: never takes a write lock, safe while evald runs.
    public func reader() throws -> QueueReader {
        guard FileManager.default.fileExists(atPath: queuePath) else {
            if access(stateDirectory, R_OK | X_OK) != 0 && errno == EACCES {
                throw OperatorError.permission(stateDirectory)
            }
            throw OperatorError("no queue at \(queuePath) (evald has never run with this configuration?)")
        }
        if access(queuePath, R_OK) != 0 && errno == EACCES { throw OperatorError.permission(queuePath) }
        do {
            return try QueueReader(path: queuePath)
        } catch let error as SQLiteError where OperatorError.isDamage(error) {
            throw OperatorError.damagedQueue(queuePath, error)
        } catch {
            if access(queuePath, W_OK) != 0 || access(stateDirectory, W_OK) != 0 {
                // WAL readers need the -shm file; without write access SQLite refuses.
                throw OperatorError("cannot read \(queuePath): \(error) — run evalctl as root or as user evald (sudo -u evald evalctl …)")
            }
            throw OperatorError("cannot read \(queuePath): \(error)")
        }
    }

    /// Every record, newest first, filtered by assessment time.
    public func records(state: RecordState? = nil, since: Date? = nil, until: Date? = nil, limit: Int = Int(Int32.max)) throws -> [QueuedRecord] {
        try reader().list(QueueListQuery(state: state, assessedSince: since, assessedBefore: until, limit: limit, order: .newestFirst))
    }
}

public struct OperatorError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }

    public static func permission(_ path: String) -> OperatorError {
        OperatorError("permission denied: \(path) — run evalctl with sudo, or as a member of group evald")
    }

    /// SQLITE_CORRUPT (11) and SQLITE_NOTADB (26): the file itself is damaged.
    public static func isDamage(_ error: SQLiteError) -> Bool { error.code == 11 || error.code == 26 }

    public static func damagedQueue(_ path: String?, _ error: SQLiteError) -> OperatorError {
        OperatorError("the queue file \(path ?? "") is damaged (\(error.message)); do not delete it: "
            + "docs/queue.md (/usr/share/doc/evald/queue.md) says how to recover its records")
    }
}
