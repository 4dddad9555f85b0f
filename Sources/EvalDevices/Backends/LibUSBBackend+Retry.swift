import CLibUSB
import Foundation

extension LibUSBBackend {
    /// A `change` uevent on a USB device (new permissions once the udev rules
    /// are installed, `udevadm trigger`): try a device that could not be opened
    /// again at once, instead of waiting for it to be replugged. libusb's own
    /// hotplug follows only add and remove. Callable from any thread.
    public func retry(portPath: String) {
        lock.withLock { retries.append(portPath) }
        wake()
    }

    /// On the event thread: forget that the device at each queued port path was
    /// ignored (a `.problem` said why), and consider it anew.
    func retryChanged() {
        let ports = lock.withLock { () -> [String] in
            defer { retries.removeAll() }
            return retries
        }
        guard !ports.isEmpty, let ctx = lock.withLock({ context }) else { return }
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = libusb_get_device_list(ctx, &list)
        guard count >= 0, let list else { return }
        defer { libusb_free_device_list(list, 1) }
        for index in 0..<count {
            guard let device = list[index], let port = Self.portPath(device), ports.contains(port) else { continue }
            ignored.remove(DeviceKey(device))
            consider(device)
        }
    }
}
