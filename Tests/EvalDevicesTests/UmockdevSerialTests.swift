import EvalTesting
import Foundation
import Testing

/// A CH340 USB-serial adapter emulated by umockdev (a pty whose udev parent
/// is the USB device 1a86:7523, serial A9XK2): identity from udev, the
/// inventory's listing, and the real termios path reading the script.
@Suite(.enabled(if: TestPaths.umockdevRun != nil && FileManager.default.isExecutableFile(atPath: TestPaths.product("evald-device-probe"))))
struct UmockdevSerialTests {
    let fixture = TestPaths.fixture("umockdev")
    let profiles = TestPaths.fixture("profiles-serial")

    @Test func aUSBSerialAdapterIsListedWithItsUSBIdentity() async throws {
        let result = try await ChildProcess.run(URL(fileURLWithPath: TestPaths.umockdevRun!), arguments: [
            "--device", "\(fixture)/ch340-keypad.umockdev", "--", TestPaths.product("evald-device-probe"), "list", "--profiles", profiles,
        ], timeout: .seconds(30))
        #expect(result.status == 0, "\(result)")
        #expect(result.lines.contains("online  tty /dev/ttyUSB0 1a86:7523 serial=A9XK2 port=1-3 id=A9XK2 profile=hall-ch340 window=unbound name=\"USB Serial\""),
                "\(result.stdout)\(result.stderr)")
    }

    /// The invite must be written byte for byte before the device answers
    /// (umockdev's `w` line); noise and a wrong checksum are problems, never presses.
    @Test func aPushKeypadOnTheAdapterIsReadPromptedAndItsAddressesToldApart() async throws {
        let result = try await ChildProcess.run(URL(fileURLWithPath: TestPaths.umockdevRun!), arguments: [
            "--device", "\(fixture)/ch340-keypad.umockdev", "--script", "/dev/ttyUSB0=\(fixture)/ch340-keypad.script",
            "--", TestPaths.product("evald-device-probe"), "serial", "/dev/ttyUSB0", "--profile", "hall-ch340", "--profiles", profiles,
            "--address", "1", "--address", "2", "--prompt", "invite", "--count", "8", "--timeout", "10",
        ], timeout: .seconds(30))
        #expect(result.status == 0, "\(result)")
        #expect(result.lines == [
            "attached A9XK2@1 1a86:7523 USB Serial", "prompt invite A9XK2@1 sent output report aa 01 01 00 00",
            "attached A9XK2@2 1a86:7523 USB Serial", "prompt invite A9XK2@2 sent output report aa 02 01 00 03",
            "press A9XK2@1 4 满意",
            "problem A9XK2 noise: 1 bytes 13",
            "problem A9XK2 wrong xor8 checksum: aa014b0249",
            "press A9XK2@2 1 非常不满意",
        ], "\(result.stdout)\(result.stderr)")
    }
}
