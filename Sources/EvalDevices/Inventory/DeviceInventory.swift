import Foundation
/// Learn mode's inventory: every USB HID device udev shows (input event
/// nodes, hidraw nodes, raw USB devices with a HID interface), with the profile
/// it would get, the window it is bound to, and whether it is online. Bound
/// devices that are absent are listed as offline.
public struct DeviceInventory: Sendable {
    public let catalog: ProfileCatalog
    public let bindings: BindingMatcher
    /// Simulated keypads the agent runs (listed as such, not as absent USB devices).
    public let simulatedDeviceIds: [String]
    /// Serial ports named in the configuration (listed whether there or not).
    public let serialPorts: [SerialPortSource]

    public init(catalog: ProfileCatalog = .builtIn, bindings: [DeviceBinding] = [], simulatedDeviceIds: [String] = [],
                serialPorts: [SerialPortSource] = []) {
        self.serialPorts = serialPorts
        self.catalog = catalog
        self.bindings = BindingMatcher(bindings)
        self.simulatedDeviceIds = simulatedDeviceIds
    }

    public struct Entry: Sendable, Hashable, CustomStringConvertible {
        public enum Kind: String, Sendable { case evdev, hidraw, usb, simulated, tty }
        public var kind: Kind
        public var identity: DeviceIdentity
        public var interface: Int?
        public var profile: String?
        public var binding: DeviceBinding?
        public var online: Bool
        /// A serial line: its bound bus addresses and their windows (`@1=W01`).
        public var busWindows: [String] = []

        public var description: String {
            let window = busWindows.isEmpty ? binding.map { "\($0.hallCode.map { "\($0)/" } ?? "")\($0.windowCode)" } ?? "unbound"
                : busWindows.joined(separator: ",")
            let serial = identity.serial ?? "-"
            let port = identity.portPath ?? "-"
            let vidPid = identity.vendorId == 0 && identity.productId == 0 ? "-" : identity.vidPid
            return "\(online ? "online " : "offline") \(kind.rawValue) \(identity.node ?? "-") \(vidPid) serial=\(serial) port=\(port) id=\(identity.deviceId) profile=\(profile ?? "none") window=\(window) name=\"\(identity.name)\""
        }
    }

    /// Devices the agent would read: evdev and hidraw nodes whose profile (by
    /// VID:PID, or named by a binding) uses that backend.
    public func readable() -> [Readable] {
        (Udev()?.enumerate() ?? []).compactMap(readable)
    }

    /// A node to read and how, or nil when no profile for its backend applies.
    public struct Readable: Sendable, Hashable {
        public var node: String
        public var profile: DeviceProfile
        public var kind: Entry.Kind
        public var identity: DeviceIdentity
        /// Learn mode: no profile matches; read raw input only.
        public var rawOnly = false
    }

    /// Learn mode: an evdev or hidraw node of a USB HID device that no profile
    /// matches, to be read raw (`evalctl devices watch`).
    public func learnable(_ node: UdevNode) -> Readable? {
        guard node.kind == .evdev || node.kind == .hidraw, let entry = entry(for: node), entry.profile == nil,
              let devnode = entry.identity.node else { return nil }
        return Readable(node: devnode, profile: .rawInputOnly(node.kind == .evdev ? .evdev : .hidraw), kind: entry.kind,
                        identity: entry.identity, rawOnly: true)
    }

    public func readable(_ node: UdevNode) -> Readable? {
        guard node.kind != .usb, let entry = entry(for: node), let name = entry.profile,
              let profile = catalog.profile(named: name), let devnode = entry.identity.node else { return nil }
        switch (entry.kind, profile.backend) {
        case (.evdev, .evdev), (.hidraw, .hidraw), (.tty, .serial): return Readable(node: devnode, profile: profile, kind: entry.kind, identity: entry.identity)
        default: return nil
        }
    }

    /// Every device udev shows now, plus bound devices that are absent.
    public func scan() -> [Entry] { scan(Udev()?.enumerate() ?? []) }

    public func scan(_ nodes: [UdevNode]) -> [Entry] {
        var entries = nodes.compactMap(entry).sorted(by: Self.listingOrder)
        for id in simulatedDeviceIds {
            let identity = DeviceIdentity(vendorId: 0, productId: 0, name: "simulated keypad", node: id)
            entries.append(Entry(kind: .simulated, identity: identity, interface: nil, profile: nil, binding: bindings.binding(for: id), online: true))
        }
        for port in serialPorts {
            var entry = Entry(kind: .tty, identity: port.identity, interface: nil, profile: port.profile, binding: nil,
                              online: FileManager.default.fileExists(atPath: port.path))
            entry.busWindows = busWindows(of: port.identity.lineId)
            entries.append(entry)
        }
        // A serial line is there when its adapter or port is: its keypads are reached through it.
        let present = Set(entries.map(\.identity.deviceId)).union(entries.filter { $0.kind == .tty && $0.online }.map(\.identity.lineId))
        for binding in bindings.bindings.values.sorted(by: { $0.deviceId < $1.deviceId })
        where !present.contains(binding.deviceId) && !present.contains(DeviceIdForm.splitAddress(binding.deviceId).base) {
            // Spelled as the device would report it: a port path is not a serial.
            var identity = DeviceIdentity(vendorId: 0, productId: 0, name: "(not attached)")
            let (base, address) = DeviceIdForm.splitAddress(binding.deviceId)
            identity.address = address
            switch DeviceIdForm.parse(base) {
            case .success(.portPath(let port)): identity.portPath = port
            case .success(.tty(let name)): identity.ttyName = name
            case .success(.simulated(let id)): identity.node = id
            default: identity.serial = base
            }
            entries.append(Entry(kind: .usb, identity: identity, interface: nil, profile: binding.profile, binding: binding, online: false))
        }
        return entries
    }

    /// Nodes not on USB (the laptop's own keyboard) and USB devices without a
    /// HID interface (hubs, disks) are never listed.
    public func entry(for node: UdevNode) -> Entry? {
        guard let identity = node.identity, identity.portPath != nil else { return nil }
        if node.kind == .usb, !node.hasHIDInterface { return nil }
        let kind: Entry.Kind = switch node.kind {
        case .evdev: .evdev
        case .hidraw: .hidraw
        case .usb: .usb
        case .tty: .tty
        }
        var found = entry(kind, identity, node.interface)
        if kind == .tty { found.busWindows = busWindows(of: identity.lineId) }
        return found
    }

    /// `@2=H1/W02` for each address of the line `lineId` bound to a window.
    func busWindows(of lineId: String) -> [String] {
        bindings.bindings.values.compactMap { binding -> (Int, String)? in
            let (base, address) = DeviceIdForm.splitAddress(binding.deviceId)
            guard base == lineId, let address else { return nil }
            return (address, "@\(address)=\(binding.hallCode.map { "\($0)/" } ?? "")\(binding.windowCode)")
        }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// evdev, then hidraw, then USB devices; nodes in number order, USB devices by port.
    static func listingOrder(_ a: Entry, _ b: Entry) -> Bool {
        let rank: [Entry.Kind: Int] = [.evdev: 0, .hidraw: 1, .tty: 2, .usb: 3, .simulated: 4]
        if a.kind != b.kind { return rank[a.kind]! < rank[b.kind]! }
        let key = { (entry: Entry) in (entry.kind == .usb ? entry.identity.portPath : entry.identity.node) ?? "" }
        return USBNames.naturalOrder(key(a), key(b))
    }

    private func entry(_ kind: Entry.Kind, _ identity: DeviceIdentity, _ interface: Int?) -> Entry {
        let backend: DeviceProfile.Backend = switch kind {
        case .evdev: .evdev
        case .hidraw: .hidraw
        case .usb, .simulated: .libusb
        case .tty: .serial
        }
        let binding = bindings.binding(for: identity.deviceId)
        var profile = catalog.match(vendorId: identity.vendorId, productId: identity.productId, interface: interface,
                                    serial: identity.serial, backend: backend)?.name
        if profile == nil, let named = binding?.profile, catalog.profile(named: named)?.backend == backend { profile = named }
        return Entry(kind: kind, identity: identity, interface: interface, profile: profile, binding: binding, online: true)
    }
}

extension DeviceProfile {
    /// What a device no profile matches is read with in learn mode: nothing is decoded.
    static func rawInputOnly(_ backend: Backend) -> DeviceProfile {
        DeviceProfile(name: "(none: raw input only)", match: DeviceMatch(), backend: backend, role: .keypad, keys: [])
    }
}
