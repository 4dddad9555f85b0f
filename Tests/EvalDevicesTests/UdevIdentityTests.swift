import EvalTesting
import Foundation
import Testing

/// Identity from udev, not from a node's own sysfs files: a real recorded
/// keyboard whose input node has no `id/vendor`/`id/product` (umockdev's own
/// usbkbd recording, unmodified) and a vendor keypad whose recording has no
/// interface child. Both run the real backends under `umockdev-run`.
@Suite(.enabled(if: TestPaths.umockdevRun != nil && FileManager.default.isExecutableFile(atPath: TestPaths.product("evald-device-probe"))))
struct UdevIdentityTests {
    static let usbkbd: [String] = {
        let dir = TestPaths.fixture("umockdev/usbkbd")
        return ["--device", "\(dir)/usbkbd.umockdev",
                "--ioctl", "/dev/input/event5=\(dir)/usbkbd.evtest.ioctl",
                "--script", "/dev/input/event5=\(dir)/usbkbd.evtest.script.64"]
    }()

    /// Found by the hub (udev enumeration, the USB parent's VID:PID behind two
    /// hubs), grabbed through evdev, and the recorded `a` becomes a press.
    @Test func recordedKeyboardAttachesThroughEvdevAndAKeystrokeBecomesInput() async throws {
        let result = try await UmockdevTests().probe(Self.usbkbd, [
            "hub", "--no-libusb", "--profiles", TestPaths.fixture("profiles"), "--count", "3", "--timeout", "15"])
        #expect(result.lines == [
            "attached usb-1-1.5.4.2 05f3:0007 HID 05f3:0007",
            "press usb-1-1.5.4.2 5 非常满意",
            "problem usb-1-1.5.4.2 key code 42 is not a keypad button",
        ])
    }

    /// Listed as an evdev node and as a USB device (its HID interfaces from
    /// udev's ID_USB_INTERFACES); the hubs above it are not.
    @Test func recordedKeyboardIsListed() async throws {
        let result = try await UmockdevTests().probe(Self.usbkbd, ["list", "--profiles", TestPaths.fixture("profiles")])
        #expect(result.lines == [
            #"online  evdev /dev/input/event5 05f3:0007 serial=- port=1-1.5.4.2 id=usb-1-1.5.4.2 profile=test-usbkbd-keypad window=unbound name="HID 05f3:0007""#,
            #"online  usb /dev/bus/usb/001/009 05f3:0007 serial=- port=1-1.5.4.2 id=usb-1-1.5.4.2 profile=none window=unbound name="USB device 05f3:0007""#,
        ])
    }

    /// No interface child in sysfs: the HID interface is read from the
    /// `descriptors` attribute, so the keypad is listed, and libusb reads it.
    @Test func keypadWithoutInterfaceChildrenIsListedAndRead() async throws {
        let fixture = TestPaths.fixture("umockdev")
        let device = ["--device", "\(fixture)/vendor-keypad-no-interfaces.umockdev",
                      "--ioctl", "/dev/bus/usb/001/007=\(fixture)/vendor-keypad.ioctl"]
        let listed = try await UmockdevTests().probe(device, ["list", "--profiles", TestPaths.fixture("profiles")])
        #expect(listed.lines == [
            #"online  usb /dev/bus/usb/001/007 1209:e7a1 serial=KP-0099 port=1-7 id=KP-0099 profile=test-vendor-keypad window=unbound name="Five-Button Evaluator""#,
        ])
        let read = try await UmockdevTests().probe(device, ["libusb", "--profiles", TestPaths.fixture("profiles"), "--count", "3", "--timeout", "10"])
        #expect(read.lines == [
            "attached KP-0099 1209:e7a1 Five-Button Evaluator",
            "press KP-0099 5 非常满意",
            "press KP-0099 3 基本满意",
        ])
    }
}
