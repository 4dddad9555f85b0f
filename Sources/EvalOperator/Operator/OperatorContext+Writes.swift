import EvalQueue
import Foundation
import Logging

/// The two ways an operator write reaches the store (see `ControlRequest`).
extension OperatorContext {
    /// Sends `request` to the running daemon; its message, or its refusal as an `OperatorError`.
    func sendToDaemon(_ request: ControlRequest) throws -> String {
        let response: ControlResponse
        do {
            response = try ControlClient.send(request, to: controlSocketPath)
        } catch let failure as ControlClient.Failure {
            throw OperatorError(failure.description)
        }
        guard response.ok else { throw OperatorError(response.message) }
        return response.message
    }

    /// With evald stopped: runs `body` on the store opened as evald opens it
    /// (the same checks, migrations and named writes, each with its audit row
    /// in one transaction), holding the instance lock so that evald cannot
    /// start meanwhile, and closes it before the lock is given back.
    func withStoppedDaemonStore<T>(_ body: (EvaluationQueue) async throws -> T) async throws -> T {
        guard FileManager.default.fileExists(atPath: queuePath) else {
            throw OperatorError("no queue at \(queuePath) (evald has never run with this configuration?)")
        }
        let lock: InstanceLock
        do {
            lock = try InstanceLock(path: lockPath)
        } catch let held as InstanceLock.HeldElsewhere {
            throw OperatorError("evald started meanwhile (\(held)); try again")
        } catch let failure as InstanceLock.OpenFailed {
            throw OperatorError(failure.errno == EACCES ? OperatorError.permission(lockPath).description : failure.description)
        }
        defer { lock.release() }
        var storeConfiguration = configuration.queueConfiguration
        // The reserve is evald's own: evalctl (often root) leaves no file beside the queue.
        storeConfiguration.diskReserveBytes = 0
        let store: EvaluationQueue
        do {
            store = try EvaluationQueue(configuration: storeConfiguration, logger: Logger(label: "evalctl.store"))
        } catch let error as SQLiteError where error.code == 8 || error.code == 14 {  // READONLY, CANTOPEN
            throw OperatorError.permission(queuePath)
        }
        defer { store.close() }
        return try await body(store)
    }
}
