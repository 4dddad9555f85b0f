import EvalCore
import Foundation

/// What the device layer tells the rest of the agent. Sessions (debounce,
/// 一次一评) and window binding sit above this; a `.press` here is one decoded
/// button edge, nothing more.
public enum DeviceEvent: Sendable, Equatable {
    case attached(DeviceIdentity)
    case detached(DeviceIdentity)
    /// A keypad button went down. `button` is already mapped through the profile's
    /// explicit button → rating table. `at` is when the device produced it,
    /// stamped on the reader thread (not when the pipeline got to it).
    case press(device: DeviceIdentity, button: Rating, at: InputStamp)
    /// A complete scan (case receipt, staff badge, citizen QR), stamped with
    /// its last keystroke or report. The text may carry personal data: log
    /// `maskedText`, never `text`.
    case scan(device: DeviceIdentity, text: String, at: InputStamp)
    /// Something the technician must see: bad input, permission, unbound device.
    case problem(device: DeviceIdentity, message: String, hint: String?)

    public var device: DeviceIdentity {
        switch self {
        case .attached(let device), .detached(let device): device
        case .press(let device, _, _), .scan(let device, _, _), .problem(let device, _, _): device
        }
    }
}

extension DeviceEvent: CustomStringConvertible {
    /// One line per event, personal data masked: the format `evald-device-probe`
    /// prints and `evalctl devices watch` can reuse.
    public var description: String {
        switch self {
        case .attached(let device): "attached \(device.deviceId) \(device.vidPid) \(device.name)"
        case .detached(let device): "detached \(device.deviceId)"
        case .press(let device, let button, _): "press \(device.deviceId) \(button.rawValue) \(button.chineseName)"
        case .scan(let device, let text, _): "scan \(device.deviceId) \(Masking.mask(text))"
        case .problem(let device, let message, let hint): "problem \(device.deviceId) \(message)\(hint.map { " (hint: \($0))" } ?? "")"
        }
    }
}

/// Hints printed with `.problem` events, in one place so docs and tests agree.
public enum DeviceHint {
    public static let permission = "install the udev rules and add the service user to group evald"
    public static let unbound = "add this deviceId to a [[window]] devices list in evald.toml"
    public static let noProfile = "add a device profile for this VID:PID (see docs/devices.md, learn mode)"
}
