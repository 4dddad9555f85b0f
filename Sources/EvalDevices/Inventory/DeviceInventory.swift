/// Learn mode's inventory: every USB HID device udev shows (input event
/// nodes, hidraw nodes, raw USB devices with a HID interface), with the profile
/// it would get, the window it is bound to, and whether it is online. Bound
/// devices that are absent are listed as offline.
public struct DeviceInventory: Sendable {
    public let catalog: ProfileCatalog
    public let bindings: BindingMatcher

    public init(catalog: ProfileCatalog = .builtIn, bindings: [DeviceBinding] = []) {
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
    public func readable() -> [Readable] {
        (Udev()?.enumerate() ?? []).compactMap(readable)
    }

    /// A node to read and how, or nil when no profile for its backend applies.
    public struct Readable: Sendable, Hashable {
        public var node: String
        public var profile: DeviceProfile
        public var kind: Entry.Kind
        public var identity: DeviceIdentity
    }

    public func readable(_ node: UdevNode) -> Readable? {
        guard node.kind != .usb, let entry = entry(for: node), let name = entry.profile,
              let profile = catalog.profile(named: name), let devnode = entry.identity.node else { return nil }
        switch (entry.kind, profile.backend) {
        case (.evdev, .evdev), (.hidraw, .hidraw): return Readable(node: devnode, profile: profile, kind: entry.kind, identity: entry.identity)
        default: return nil
        }
    }

    /// Every device udev shows now, plus bound devices that are absent.
    public func scan() -> [Entry] { scan(Udev()?.enumerate() ?? []) }

    public func scan(_ nodes: [UdevNode]) -> [Entry] {
        var entries = nodes.compactMap(entry).sorted(by: Self.listingOrder)
        let present = Set(entries.map(\.identity.deviceId))
        for binding in bindings.bindings.values.sorted(by: { $0.deviceId < $1.deviceId }) where !present.contains(binding.deviceId) {
            let identity = DeviceIdentity(vendorId: 0, productId: 0, serial: binding.deviceId, name: "(not attached)")
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
        }
        return entry(kind, identity, node.interface)
    }

    /// evdev, then hidraw, then USB devices; nodes in number order, USB devices by port.
    static func listingOrder(_ a: Entry, _ b: Entry) -> Bool {
        let rank: [Entry.Kind: Int] = [.evdev: 0, .hidraw: 1, .usb: 2]
        if a.kind != b.kind { return rank[a.kind]! < rank[b.kind]! }
        let key = { (entry: Entry) in (entry.kind == .usb ? entry.identity.portPath : entry.identity.node) ?? "" }
        return USBNames.naturalOrder(key(a), key(b))
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
}
