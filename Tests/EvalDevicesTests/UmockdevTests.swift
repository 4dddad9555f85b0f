import EvalTesting
import Foundation
import Testing

/// The real backends against devices emulated by umockdev: `evald-device-probe`
/// runs under `umockdev-run` as a child process and prints one line per
/// decoded event; each test compares those lines exactly.
@Suite(.enabled(if: TestPaths.umockdevRun != nil && FileManager.default.isExecutableFile(atPath: TestPaths.product("evald-device-probe"))))
struct UmockdevTests {
    func probe(_ umockdev: [String], _ arguments: [String]) async throws -> ChildProcess.Outcome {
        let result = try await ChildProcess.run(URL(fileURLWithPath: TestPaths.umockdevRun!), arguments: umockdev + ["--", TestPaths.product("evald-device-probe")] + arguments, timeout: .seconds(30))
        if result.status != 0 {
            Issue.record("probe failed (status \(result.status)):\n\(result.stdout)\n\(result.stderr)")
        }
        return result
    }

    @Test func evdevKeyboardWedgeScanner() async throws {
        let fixture = TestPaths.fixture("umockdev")
        let result = try await probe(
            ["--device", "\(fixture)/scanner.umockdev", "--evemu-events", "/dev/input/event11=\(fixture)/scanner.events"],
            ["evdev", "/dev/input/event11", "--profile", "scanner-honeywell", "--count", "4", "--reveal-scans", "--timeout", "10"])
        #expect(result.lines == [
            "attached SCN0001 0c2e:0b61 Honeywell Imaging & Mobility 1900",
            "scan SCN0001 SP-5331/a",
            "problem SCN0001 scan cut short: no enter within 100 ms (2 characters discarded)",
            "scan SCN0001 ok",
        ])
    }

    @Test func evdevKeyboardStyleKeypad() async throws {
        let fixture = TestPaths.fixture("umockdev")
        let result = try await probe(
            ["--device", "\(fixture)/keypad-keys.umockdev", "--evemu-events", "/dev/input/event12=\(fixture)/keypad-keys.events"],
            ["evdev", "/dev/input/event12", "--profile", "test-fkeys-keypad", "--profiles", TestPaths.fixture("profiles"), "--count", "5", "--timeout", "10"])
        #expect(result.lines == [
            "attached usb-1-4 1209:e7a2 Counter Evaluator F-Keys",
            "press usb-1-4 5 非常满意",
            "press usb-1-4 2 不满意",
            "problem usb-1-4 key code 30 is not a keypad button",
            "press usb-1-4 1 非常不满意",
        ])
    }

    @Test(arguments: [false, true])
    func libusbVendorReportKeypad(rescan: Bool) async throws {
        let fixture = TestPaths.fixture("umockdev")
        let result = try await probe(
            ["--device", "\(fixture)/vendor-keypad.umockdev", "--ioctl", "/dev/bus/usb/001/005=\(fixture)/vendor-keypad.ioctl"],
            ["libusb", "--profiles", TestPaths.fixture("profiles"), "--count", "7", "--timeout", "10"] + (rescan ? ["--rescan"] : []))
        #expect(result.lines == [
            "attached KP-0042 1209:e7a1 Five-Button Evaluator",
            "press KP-0042 5 非常满意",
            "press KP-0042 3 基本满意",
            "problem KP-0042 report of 2 bytes, expected 4: 0100",
            "problem KP-0042 report ID 02 is not 01",
            "problem KP-0042 unknown value 09 at offset 2",
            "press KP-0042 1 非常不满意",
        ])
    }

    /// An evdev keypad's LED prompt is written through the grabbing
    /// descriptor. umockdev takes the write without checking its bytes (the
    /// EV_LED + SYN_REPORT pair is the C shim's); what this shows is the path:
    /// the node opened read-write, the port offered, the write accepted, the
    /// keypad still read.
    @Test func evdevPromptSetsAnLED() async throws {
        let fixture = TestPaths.fixture("umockdev")
        let profiles = try TemporaryDirectoryForDevices()
        defer { profiles.remove() }
        try #"{"name": "led-keypad", "extends": "keypad-function", "match": {"vendorId": "1209", "productId": "e7a2"}, "outputs": {"invite": {"led": 0}}}"#
            .write(toFile: profiles.path("k.json"), atomically: true, encoding: .utf8)
        let result = try await probe(
            ["--device", "\(fixture)/keypad-keys.umockdev", "--evemu-events", "/dev/input/event12=\(fixture)/keypad-keys.events"],
            ["evdev", "/dev/input/event12", "--profile", "led-keypad", "--profiles", profiles.url.path, "--prompt", "invite", "--count", "3", "--timeout", "10"])
        #expect(result.lines == [
            "attached usb-1-4 1209:e7a2 Counter Evaluator F-Keys",
            "prompt invite usb-1-4 sent LED 0 on",
            "press usb-1-4 1 非常不满意",
        ])
    }

    /// The same through hidraw, where umockdev's script checks the bytes: a
    /// mismatching write aborts the probe.
    @Test func hidrawPromptIsAnOutputReportWrite() async throws {
        let fixture = TestPaths.fixture("umockdev")
        let dir = try TemporaryDirectoryForDevices()
        defer { dir.remove() }
        try #"{"name": "prompting-bitmap", "match": {"vendorId": "1209", "productId": "e7a3"}, "backend": "hidraw", "role": "keypad", "report": {"length": 2, "offset": 1, "mask": 31, "bitmap": true}, "outputs": {"thanks": {"report": "00 07 2a"}}}"#
            .write(toFile: dir.path("k.json"), atomically: true, encoding: .utf8)
        try "w 0 ^@^G*\nr 50 ^@^A\nr 50 ^@^@\n".write(toFile: dir.path("k.script"), atomically: true, encoding: .utf8)
        let result = try await probe(
            ["--device", "\(fixture)/hidraw-keypad.umockdev", "--script", "/dev/hidraw0=\(dir.path("k.script"))"],
            ["hidraw", "/dev/hidraw0", "--profile", "prompting-bitmap", "--profiles", dir.url.path, "--prompt", "thanks", "--count", "3", "--timeout", "10"])
        #expect(result.lines == [
            "attached BM-7 1209:e7a3 Bitmap Evaluator",
            "prompt thanks BM-7 sent output report 00 07 2a",
            "press BM-7 5 非常满意",
        ])
    }

    @Test func missingNodeIsAProblemNotACrash() async throws {
        let fixture = TestPaths.fixture("umockdev")
        let result = try await probe(
            ["--device", "\(fixture)/keypad-keys.umockdev"],
            ["evdev", "/dev/input/event99", "--profile", "keypad-digits", "--count", "1", "--timeout", "10"])
        #expect(result.lines.count == 1)
        #expect(result.lines.first?.hasPrefix("problem /dev/input/event99 cannot open /dev/input/event99") == true)
    }

    @Test func hidrawBitmapKeypad() async throws {
        let fixture = TestPaths.fixture("umockdev")
        let result = try await probe(
            ["--device", "\(fixture)/hidraw-keypad.umockdev", "--script", "/dev/hidraw0=\(fixture)/hidraw-keypad.script"],
            ["hidraw", "/dev/hidraw0", "--profile", "test-bitmap-hidraw", "--profiles", TestPaths.fixture("profiles"), "--count", "5", "--timeout", "10"])
        #expect(result.lines == [
            "attached BM-7 1209:e7a3 Bitmap Evaluator",
            "press BM-7 5 非常满意",
            "press BM-7 1 非常不满意",
            "problem BM-7 several buttons at once (bits 06) ignored",
            "press BM-7 3 基本满意",
        ])
    }

    /// Learn-mode inventory over emulated udev: evdev, hidraw and raw USB views,
    /// serial-or-port deviceIds and the matching profile per backend.
    @Test func inventoryListsEveryEmulatedDevice() async throws {
        let fixture = TestPaths.fixture("umockdev")
        let devices = ["scanner", "vendor-keypad", "hidraw-keypad", "keypad-keys"].flatMap { ["--device", "\(fixture)/\($0).umockdev"] }
        let result = try await probe(devices, ["list", "--profiles", TestPaths.fixture("profiles")])
        #expect(result.lines == [
            #"online  evdev /dev/input/event11 0c2e:0b61 serial=SCN0001 port=1-2 id=SCN0001 profile=scanner-honeywell window=unbound name="Honeywell Imaging & Mobility 1900""#,
            #"online  evdev /dev/input/event12 1209:e7a2 serial=- port=1-4 id=usb-1-4 profile=test-fkeys-keypad window=unbound name="Counter Evaluator F-Keys""#,
            #"online  hidraw /dev/hidraw0 1209:e7a3 serial=BM-7 port=1-5 id=BM-7 profile=test-bitmap-hidraw window=unbound name="Bitmap Evaluator""#,
            #"online  usb /dev/bus/usb/001/011 0c2e:0b61 serial=SCN0001 port=1-2 id=SCN0001 profile=none window=unbound name="1900""#,
            #"online  usb /dev/bus/usb/001/005 1209:e7a1 serial=KP-0042 port=1-3 id=KP-0042 profile=test-vendor-keypad window=unbound name="Five-Button Evaluator""#,
            #"online  usb /dev/bus/usb/001/012 1209:e7a2 serial=- port=1-4 id=usb-1-4 profile=none window=unbound name="Counter Evaluator F-Keys""#,
            #"online  usb /dev/bus/usb/001/013 1209:e7a3 serial=BM-7 port=1-5 id=BM-7 profile=none window=unbound name="Bitmap Evaluator""#,
        ])
    }

    /// The hub finds both devices through (emulated) udev and reads them at once.
    @Test func hubDiscoversAndReadsSeveralDevices() async throws {
        let fixture = TestPaths.fixture("umockdev")
        let result = try await probe(
            ["--device", "\(fixture)/scanner.umockdev", "--evemu-events", "/dev/input/event11=\(fixture)/scanner.events",
             "--device", "\(fixture)/hidraw-keypad.umockdev", "--script", "/dev/hidraw0=\(fixture)/hidraw-keypad.script"],
            ["hub", "--no-libusb", "--profiles", TestPaths.fixture("profiles"), "--count", "9", "--timeout", "15", "--reveal-scans"])
        #expect(result.lines.filter { $0.contains("SCN0001") } == [
            "attached SCN0001 0c2e:0b61 Honeywell Imaging & Mobility 1900",
            "scan SCN0001 SP-5331/a",
            "problem SCN0001 scan cut short: no enter within 100 ms (2 characters discarded)",
            "scan SCN0001 ok",
        ])
        #expect(result.lines.filter { $0.contains("BM-7") } == [
            "attached BM-7 1209:e7a3 Bitmap Evaluator",
            "press BM-7 5 非常满意",
            "press BM-7 1 非常不满意",
            "problem BM-7 several buttons at once (bits 06) ignored",
            "press BM-7 3 基本满意",
        ])
    }

    /// Plug, unplug, replug through a libumockdev testbed (uevents): each arrival
    /// is opened within a second, each departure is `.detached`, the replugged
    /// keypad resumes — with hotplug callbacks and with the rescan fallback.
    @Test(arguments: [false, true])
    func libusbHotplugAndReplug(rescan: Bool) async throws {
        let wrapper = "/usr/bin/umockdev-wrapper"
        let harness = TestPaths.product("evald-hotplug-check")
        try #require(FileManager.default.isExecutableFile(atPath: wrapper) && FileManager.default.isExecutableFile(atPath: harness))
        let fixture = TestPaths.fixture("umockdev")
        let result = try await ChildProcess.run(URL(fileURLWithPath: wrapper), arguments: [harness, "\(fixture)/vendor-keypad.umockdev", "\(fixture)/vendor-keypad.ioctl",
                                                    TestPaths.fixture("profiles")] + (rescan ? ["--rescan"] : []), timeout: .seconds(30))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines == [
            "cycle 1 attached KP-0042 within 1s: yes",
            "cycle 1 press 5",
            "cycle 1 detached KP-0042",
            "cycle 2 attached KP-0042 within 1s: yes",
            "cycle 2 press 5",
            "cycle 2 detached KP-0042",
        ])
    }
}

/// A node the service user may not open (EACCES) is a `.problem` carrying the
/// udev hint, not a crash. Needs root to drop to `nobody` with setpriv.
@Suite(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
               && FileManager.default.isExecutableFile(atPath: TestPaths.product("evald-device-probe"))))
struct PermissionTests {
    @Test func permissionDeniedGivesTheUdevHint() async throws {
        let dir = try TemporaryDirectoryForDevices()
        defer { dir.remove() }
        let node = dir.path("event7")
        #expect(FileManager.default.createFile(atPath: node, contents: Data(), attributes: [.posixPermissions: 0o600]))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.url.path)
        let result = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/setpriv"), arguments: ["--reuid=65534", "--regid=65534", "--clear-groups",
            TestPaths.product("evald-device-probe"), "evdev", node, "--profile", "keypad-digits", "--count", "1"])
        #expect(result.lines == ["problem \(node) cannot open \(node): Permission denied (hint: install the udev rules and add the service user to group evald)"],
                "\(result.stderr)")
    }
}
