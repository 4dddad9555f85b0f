import EvalCore

/// `evalctl devices prompt`: asks the running evald to show one prompt on one
/// device. Through evald only: it holds the device (an evdev grab, a claimed
/// USB interface), and what is tried is the very path a service takes.
public enum DevicePromptTrial {
    public static func send(_ prompt: CounterPrompt, to deviceId: String, context: OperatorContext) throws -> String {
        guard case .running = context.daemon() else {
            throw OperatorError("evald is not running: prompts are sent by evald, which holds the devices; start it (systemctl start evald) and try again")
        }
        return try context.sendToDaemon(ControlRequest(verb: .prompt, operatorName: AuditLog.claimedName, deviceId: deviceId, prompt: prompt))
    }
}
