import EvalTesting
import Foundation
import Testing

/// Learn mode sees the devices it exists for: HID nodes no profile matches
/// show their raw input (issue 13: before, watch printed nothing for them).
/// The probe's `hub --learn --raw` is what `evalctl devices watch` runs.
@Suite(.enabled(if: TestPaths.umockdevRun != nil && FileManager.default.isExecutableFile(atPath: TestPaths.product("evald-device-probe"))))
struct LearnModeTests {
    /// Built-in profiles only: nothing matches 05f3:0007, so it is read raw.
    @Test func anUnprofiledKeyboardShowsItsRawKeys() async throws {
        let result = try await UmockdevTests().probe(UdevIdentityTests.usbkbd, ["hub", "--no-libusb", "--learn", "--raw", "--count", "6", "--timeout", "15"])
        #expect(result.lines == [
            "attached usb-1-1.5.4.2 05f3:0007 HID 05f3:0007",
            "raw usb-1-1.5.4.2 key code=28 release",
            "raw usb-1-1.5.4.2 key code=30 press",
            "raw usb-1-1.5.4.2 key code=30 release",
            "raw usb-1-1.5.4.2 key code=42 press",
            "raw usb-1-1.5.4.2 key code=42 release",
        ])
    }

    @Test func anUnprofiledHidrawKeypadShowsItsRawReports() async throws {
        let fixture = TestPaths.fixture("umockdev")
        // Emulated hidraw is a byte stream, not one report per read as the kernel's
        // is: with no profile nothing knows the report length, so the learn script
        // starts 2 s after the open and spaces its reports 1 s apart (100 ms, then
        // 300/500 ms merged unread reports in loaded full runs).
        let result = try await UmockdevTests().probe(
            ["--device", "\(fixture)/hidraw-keypad.umockdev", "--script", "/dev/hidraw0=\(fixture)/hidraw-keypad-learn.script"],
            ["hub", "--no-libusb", "--learn", "--raw", "--count", "4", "--timeout", "15"])
        #expect(result.lines == ["attached BM-7 1209:e7a3 Bitmap Evaluator", "raw BM-7 report 0001", "raw BM-7 report 0000", "raw BM-7 report 0050"])
    }

    /// A vendor keypad with no hidraw node (nothing but its USB device) shows its
    /// reports through libusb: `libusb --raw`, and `hub --learn --raw` as
    /// `evalctl devices watch` runs it. Built-in profiles only: none matches 1209:e7a1.
    @Test(arguments: [["libusb", "--raw"], ["hub", "--learn", "--raw"]])
    func anUnprofiledLibusbKeypadShowsItsRawReports(command: [String]) async throws {
        let fixture = TestPaths.fixture("umockdev")
        let result = try await UmockdevTests().probe(
            ["--device", "\(fixture)/vendor-keypad.umockdev", "--ioctl", "/dev/bus/usb/001/005=\(fixture)/vendor-keypad.ioctl"],
            command + ["--count", "4", "--timeout", "15"])
        #expect(result.lines == ["attached KP-0042 1209:e7a1 Five-Button Evaluator",
                                 "raw KP-0042 report 01000100", "raw KP-0042 report 01000000", "raw KP-0042 report 01000300"])
        #expect(result.stderr.contains("profile=(none: raw input only)"))
    }

    /// Without --learn the same device is left alone.
    @Test func withoutLearnAnUnprofiledDeviceIsNotRead() async throws {
        let result = try await ChildProcess.run(URL(fileURLWithPath: TestPaths.umockdevRun!), arguments: UdevIdentityTests.usbkbd + [
            "--", TestPaths.product("evald-device-probe"), "hub", "--no-libusb", "--raw", "--timeout", "1"], timeout: .seconds(30))
        #expect(result.lines == [])
        #expect(result.status == 2, "the help says: give up (exit 2) after the timeout")
    }
}
