import EvalCore
import Foundation

/// One request to the running daemon over its control socket: a JSON line.
///
/// Why a socket and not evalctl writing the database itself: opening the queue
/// for writing recovers in-flight records (crash recovery), which would disturb
/// the daemon's forwarder mid-request. So while evald runs, operator writes go
/// through evald; when it is stopped, evalctl holds the instance lock and
/// writes directly.
public struct ControlRequest: Codable, Sendable, Equatable {
    public enum Verb: String, Codable, Sendable {
        case ping
        case retry
        case drop
        /// Send a record held for uncertain time as stamped.
        case release
        /// Append a step to a bad review's follow-up (`followUpStep`).
        case followUp
        /// Show `prompt` on device `deviceId` (a technician trying its outputs).
        case prompt
        /// evalctl is about to show personal data in clear (`--reveal`):
        /// record it (`detail`, `evaluationId` if one record) before it does.
        case reveal
    }

    public var verb: Verb
    public var evaluationId: String?
    /// Who the client says it is (SUDO_USER). Never trusted: the daemon names
    /// the operator by the uid the kernel gives (SO_PEERCRED) and records this
    /// only as the escaped "claimed" name.
    public var operatorName: String?
    /// For `reveal`: what is shown in clear.
    public var detail: String?
    /// For `followUp`: the step to append.
    public var followUpStep: FollowUpStep.Fields?
    /// For `prompt`: which device, and what to show.
    public var deviceId: String?
    public var prompt: CounterPrompt?

    public init(verb: Verb, evaluationId: String? = nil, operatorName: String? = nil, followUpStep: FollowUpStep.Fields? = nil,
                deviceId: String? = nil, prompt: CounterPrompt? = nil, detail: String? = nil) {
        self.verb = verb
        self.detail = detail
        self.deviceId = deviceId
        self.prompt = prompt
        self.evaluationId = evaluationId
        self.operatorName = operatorName
        self.followUpStep = followUpStep
    }
}

public struct ControlResponse: Codable, Sendable, Equatable {
    public var ok: Bool
    public var message: String
    /// For `drop`: the removed record as JSON, for the audit log.
    public var record: String?

    public init(ok: Bool, message: String, record: String? = nil) {
        self.ok = ok
        self.message = message
        self.record = record
    }
}

public enum ControlSocket {
    public static func path(stateDirectory: String) -> String {
        (stateDirectory as NSString).appendingPathComponent("control.sock")
    }
}
