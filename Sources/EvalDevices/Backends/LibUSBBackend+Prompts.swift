import CLibUSB
import Foundation

/// A claimed keypad's handle, for its prompt port: used on the port's queue
/// while the event thread keeps reading; the port is retired before
/// `libusb_close`, so no write meets a closed handle.
struct PromptHandle: @unchecked Sendable {
    let handle: OpaquePointer
    let interface: UInt8
}

extension LibUSBBackend {
    /// Offers a claimed keypad's prompt outputs (event thread).
    func offerPrompts(_ device: OpenDevice) {
        guard !device.rawOnly else { return }
        let target = PromptHandle(handle: device.handle, interface: device.interface)
        device.promptPort = prompts?.offer(deviceId: device.identity.deviceId, outputs: device.profile.outputs) { Self.setReport($1, on: target) }
    }

    /// Before the handle is closed (event thread): waits for a write in progress.
    func withdrawPrompts(_ device: OpenDevice) {
        guard let port = device.promptPort else { return }
        device.promptPort = nil
        prompts?.retire(port)
    }

    /// HID SET_REPORT on the control pipe (HID 1.11, 7.2.2), which every HID
    /// device must accept, rather than an interrupt-OUT endpoint only some
    /// have. As with hidraw, byte 0 is the report ID; 0 means the device
    /// numbers no reports, and only the bytes after it are sent.
    static func setReport(_ action: OutputAction, on target: PromptHandle) -> String? {
        let (type, bytes): (UInt16, [UInt8])
        switch action {
        case .outputReport(let report): (type, bytes) = (2, report)
        case .featureReport(let report): (type, bytes) = (3, report)
        case .led: return "an LED is set through evdev, not libusb"
        }
        guard let reportId = bytes.first else { return "empty report" }
        var data = reportId == 0 ? Array(bytes.dropFirst()) : bytes
        let sent = libusb_control_transfer(target.handle, 0x21, 0x09, type << 8 | UInt16(reportId), UInt16(target.interface),
                                           &data, UInt16(data.count), 1_000)
        if sent < 0 { return "SET_REPORT: \(usbError(sent))" }
        return Int(sent) == data.count ? nil : "SET_REPORT: \(sent) of \(data.count) bytes"
    }
}
