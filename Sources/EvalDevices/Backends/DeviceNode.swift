import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Opens a device node for one of the node readers (evdev, hidraw). On failure
/// it logs and reports the problem — with the udev hint when permission was
/// refused — and returns nil, so every backend says it the same way.
func openDeviceNode(
    _ node: String, kind: String, writable: Bool = false, identity: () -> DeviceIdentity, logger: Logger, output: DeviceOutputHandler
) -> Int32? {
    // Read-only unless the profile declares prompt outputs: then the same
    // descriptor writes them (the udev rules' 0660 for group evald allows both).
    let fd = open(node, (writable ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_CLOEXEC)
    if fd >= 0 { return fd }
    let code = errno
    let device = identity()
    let hint = (code == EACCES || code == EPERM) ? DeviceHint.permission : nil
    logger.error("cannot open \(kind) device", metadata: ["device": "\(device)", "error": "\(errnoDescription(code))"])
    output(.event(.problem(device: device, message: "cannot open \(node): \(errnoDescription(code))", hint: hint)))
    return nil
}
