import CLibUdev
import Foundation
import Logging

/// Follows uevents on the `usb`, `hidraw` and `input` subsystems on a thread
/// of its own, blocked in poll() on the monitor socket: nothing runs while no
/// device comes or goes (no periodic rescan).
struct UdevMonitor: Sendable {
    let logger: Logger

    /// Runs until the task is cancelled. `initial` gets every node present,
    /// enumerated only once the monitor listens (a device plugged in between
    /// arrives as a uevent, never not at all); `change` gets each uevent.
    /// Returns false when libudev or its monitor cannot be set up.
    @discardableResult
    func run(initial: @escaping @Sendable ([UdevNode]) -> Void, change: @escaping @Sendable (UdevChange) -> Void) async -> Bool {
        let logger = self.logger
        return await runOnDedicatedThread(name: "udev monitor") { stop in
            guard let udev = Udev() else {
                logger.error("libudev unavailable: devices cannot be discovered")
                return false
            }
            guard let monitor = udev_monitor_new_from_netlink(udev.handle, "udev") else {
                logger.error("cannot create a udev monitor: hotplug is not followed")
                initial(udev.enumerate())
                return false
            }
            defer { udev_monitor_unref(monitor) }
            for subsystem in Udev.subsystems { udev_monitor_filter_add_match_subsystem_devtype(monitor, subsystem, nil) }
            guard udev_monitor_enable_receiving(monitor) == 0 else {
                logger.error("cannot listen for uevents: hotplug is not followed")
                initial(udev.enumerate())
                return false
            }
            let fd = udev_monitor_get_fd(monitor)
            initial(udev.enumerate())
            while true {
                switch waitReadable(fd, stop: stop, timeoutMilliseconds: -1) {
                case .stopped: return true
                case .timedOut, .woken: continue
                case .hangUp:
                    logger.error("the udev monitor socket closed: hotplug is no longer followed")
                    return false
                case .readable: break
                }
                // The socket is non-blocking: drain every queued uevent.
                while let device = udev_monitor_receive_device(monitor) {
                    defer { udev_device_unref(device) }
                    guard let actionName = udevString(udev_device_get_action(device)),
                          let action = UdevAction(rawValue: actionName),
                          let node = udev.node(of: device) else { continue }
                    change(UdevChange(action: action, node: node))
                }
            }
        }
    }
}
