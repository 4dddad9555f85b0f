import EvalQueue
import Foundation

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

    /// Runs `body` holding the instance lock, so that evald cannot start meanwhile.
    func withInstanceLock<T>(_ body: () throws -> T) throws -> T {
        let lock: InstanceLock
        do {
            lock = try InstanceLock(path: lockPath)
        } catch let held as InstanceLock.HeldElsewhere {
            throw OperatorError("evald started meanwhile (\(held)); try again")
        } catch let failure as InstanceLock.OpenFailed {
            throw OperatorError(failure.errno == EACCES ? OperatorError.permission(lockPath).description : failure.description)
        }
        defer { lock.release() }
        return try body()
    }
}
