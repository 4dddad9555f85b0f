/// Which window a keypad or scanner serves. Keyed by `deviceId` (serial number,
/// else `usb-<port path>`), so a replugged device keeps its window and a device
/// without a serial is bound to the USB socket it sits in.
public struct DeviceBinding: Sendable, Hashable, Codable {
    public var deviceId: String
    public var hallCode: String?
    public var windowCode: String
    /// Profile to use for this device when no profile matches its VID:PID, e.g.
    /// a built-in template such as `keypad-function`.
    public var profile: String?

    public init(deviceId: String, hallCode: String? = nil, windowCode: String, profile: String? = nil) {
        self.deviceId = deviceId
        self.hallCode = hallCode
        self.windowCode = windowCode
        self.profile = profile
    }

    /// Whether this device serves the window `windowCode` in hall `hallCode`:
    /// the same code, and the binding's hall if it names one. The one rule
    /// for both directions — a device's input reaching a window's session
    /// and a window's prompt reaching its devices — so a prompt can never
    /// go to a device whose presses count for another window.
    public func serves(windowCode: String, hallCode: String?) -> Bool {
        self.windowCode == windowCode && (self.hallCode == nil || self.hallCode == hallCode)
    }
}

/// Routes device events to windows. Events of an unbound device are not used:
/// the first one (and its attach) yields a `.problem` with a hint, so the
/// technician sees the deviceId to bind.
public struct BindingMatcher: Sendable {
    public private(set) var bindings: [String: DeviceBinding]
    private var reportedUnbound: Set<String> = []

    public init(_ bindings: [DeviceBinding]) {
        var byId: [String: DeviceBinding] = [:]
        for binding in bindings { byId[binding.deviceId] = binding }
        self.bindings = byId
    }

    public func binding(for deviceId: String) -> DeviceBinding? { bindings[deviceId] }

    public enum Route: Sendable, Equatable {
        /// Use this event for this window.
        case window(DeviceBinding, DeviceEvent)
        /// Not for a window (attach/detach/problem of an unbound device, or a
        /// dropped press/scan): pass `report` on to the log and inventory, if any.
        case unbound(report: DeviceEvent?)
    }

    public mutating func route(_ event: DeviceEvent) -> Route {
        let device = event.device
        if let binding = bindings[device.deviceId] { return .window(binding, event) }
        switch event {
        case .detached:
            reportedUnbound.remove(device.deviceId)
            return .unbound(report: event)
        case .problem:
            return .unbound(report: event)
        case .attached, .press, .scan:
            guard reportedUnbound.insert(device.deviceId).inserted else { return .unbound(report: nil) }
            return .unbound(report: .problem(
                device: device,
                message: "device \(device.deviceId) (\(device.vidPid) \(device.name)) is not bound to a window; its input is ignored",
                hint: DeviceHint.unbound))
        }
    }
}
