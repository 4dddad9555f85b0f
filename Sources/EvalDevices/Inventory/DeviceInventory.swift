/// Learn mode's inventory: every USB HID device the kernel shows (input event
/// nodes, hidraw nodes, raw USB devices with a HID interface), with the profile
/// it would get, the window it is bound to, and whether it is online. Bound
/// devices that are absent are listed as offline.
public struct DeviceInventory: Sendable {
    public let sysfs: Sysfs
    public let catalog: ProfileCatalog
    public let bindings: BindingMatcher

    public init(sysfs: Sysfs = Sysfs(), catalog: ProfileCatalog = .builtIn, bindings: [DeviceBinding] = []) {
        self.sysfs = sysfs
        self.catalog = catalog
        self.bindings = BindingMatcher(bindings)
    }

    public struct Entry: Sendable, Hashable, CustomStringConvertible {
        public enum Kind: String, Sendable { case evdev, hidraw, usb }
        public var kind: Kind
        public var identity: DeviceIdentity
        public var interface: Int?
        public var profile: String?
        public var binding: DeviceBinding?
        public var online: Bool

        public var description: String {
            let window = binding.map { "\($0.hallCode.map { "\($0)/" } ?? "")\($0.windowCode)" } ?? "unbound"
            let serial = identity.serial ?? "-"
            let port = identity.portPath ?? "-"
            return "\(online ? "online " : "offline") \(kind.rawValue) \(identity.node ?? "-") \(identity.vidPid) serial=\(serial) port=\(port) id=\(identity.deviceId) profile=\(profile ?? "none") window=\(window) name=\"\(identity.name)\""
        }
    }

    /// Devices the agent would read: evdev and hidraw nodes whose profile (by
    /// VID:PID, or named by a binding) uses that backend.
    public func readable() -> [(node: String, profile: DeviceProfile, kind: Entry.Kind)] {
        scan().compactMap { entry in
            guard entry.online, let name = entry.profile, let profile = catalog.profile(named: name), let node = entry.identity.node else { return nil }
            switch (entry.kind, profile.backend) {
            case (.evdev, .evdev), (.hidraw, .hidraw): return (node, profile, entry.kind)
            default: return nil
            }
        }
    }

    public func scan() -> [Entry] {
        var entries: [Entry] = []
        for name in sysfs.entries("class/input") where name.hasPrefix("event") {
            guard let (identity, interface) = sysfs.inputIdentity(event: name, node: "/dev/input/\(name)"),
                  identity.portPath != nil else { continue }  // USB devices only: never the laptop's own keyboard
            entries.append(entry(.evdev, identity, interface))
        }
        for name in sysfs.entries("class/hidraw") {
            guard let (identity, interface) = sysfs.usbIdentity(classDevice: "class/hidraw/\(name)", node: "/dev/hidraw\(name.dropFirst("hidraw".count))") else { continue }
            entries.append(entry(.hidraw, identity, interface))
        }
        for name in sysfs.entries("bus/usb/devices") where Sysfs.isUSBDevice(name) {
            let dir = sysfs.path("bus/usb/devices/\(name)")
            guard hasHIDInterface(name), let (identity, _) = sysfs.usbIdentity(deviceDirectory: dir, portPath: name, interface: nil, node: usbNode(dir)) else { continue }
            entries.append(entry(.usb, identity, nil))
        }
        let present = Set(entries.map(\.identity.deviceId))
        for binding in bindings.bindings.values.sorted(by: { $0.deviceId < $1.deviceId }) where !present.contains(binding.deviceId) {
            let identity = DeviceIdentity(vendorId: 0, productId: 0, serial: binding.deviceId, name: "(not attached)")
            entries.append(Entry(kind: .usb, identity: identity, interface: nil, profile: binding.profile, binding: binding, online: false))
        }
        return entries
    }

    private func entry(_ kind: Entry.Kind, _ identity: DeviceIdentity, _ interface: Int?) -> Entry {
        let backend: DeviceProfile.Backend = switch kind {
        case .evdev: .evdev
        case .hidraw: .hidraw
        case .usb: .libusb
        }
        let binding = bindings.binding(for: identity.deviceId)
        var profile = catalog.match(vendorId: identity.vendorId, productId: identity.productId, interface: interface,
                                    serial: identity.serial, backend: backend)?.name
        if profile == nil, let named = binding?.profile, catalog.profile(named: named)?.backend == backend { profile = named }
        return Entry(kind: kind, identity: identity, interface: interface, profile: profile, binding: binding, online: true)
    }

    private func hasHIDInterface(_ device: String) -> Bool {
        sysfs.entries("bus/usb/devices/\(device)").contains { child in
            Sysfs.isUSBInterface(child) && sysfs.attribute(sysfs.path("bus/usb/devices/\(device)/\(child)/bInterfaceClass")) == "03"
        }
    }

    private func usbNode(_ dir: String) -> String? {
        guard let bus = sysfs.attribute(dir + "/busnum").flatMap({ Int($0) }),
              let address = sysfs.attribute(dir + "/devnum").flatMap({ Int($0) }) else { return nil }
        return "/dev/bus/usb/" + pad3(bus) + "/" + pad3(address)
    }

    private func pad3(_ value: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, 3 - text.count)) + text
    }
}
