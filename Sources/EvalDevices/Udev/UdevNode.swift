/// One device as udev sees it, copied out of libudev (its objects are not
/// thread-safe, so nothing of libudev leaves the thread that asked).
///
/// Identity comes from the node's udev properties and from its USB parent
/// device, never from the node's own sysfs files alone: an input node of a
/// real keyboard has no `id/vendor`, a hidraw node has no serial, and a
/// vendor keypad may show no interface children at all.
public struct UdevNode: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case evdev, hidraw, usb, tty }

    public var kind: Kind
    /// `/sys/devices/…/event5`: the key that add and remove uevents share.
    public var syspath: String
    /// `/dev/input/event5`, `/dev/hidraw0`, `/dev/bus/usb/001/005`.
    public var devnode: String?
    /// Nil when the node is not below a USB device (the laptop's own keyboard):
    /// those are never listed or read.
    public var identity: DeviceIdentity?
    /// USB interface number the node hangs off (evdev, hidraw).
    public var interface: Int?
    /// USB devices: whether any interface is HID (class 3).
    public var hasHIDInterface: Bool

    public init(kind: Kind, syspath: String, devnode: String?, identity: DeviceIdentity?, interface: Int? = nil, hasHIDInterface: Bool = false) {
        self.kind = kind
        self.syspath = syspath
        self.devnode = devnode
        self.identity = identity
        self.interface = interface
        self.hasHIDInterface = hasHIDInterface
    }
}

/// What a uevent did to a node.
public enum UdevAction: String, Sendable, Hashable {
    case add, remove, bind, unbind, change, move, online, offline
}

public struct UdevChange: Sendable, Hashable {
    public var action: UdevAction
    public var node: UdevNode
}
