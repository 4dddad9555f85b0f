import EvalAgent
import EvalDevices
import EvalOperator
import Foundation
import Testing

/// A binding in no deviceId form would never match a device (issue 13: the
/// docs showed `devices = ["1-1.3"]` while the deviceId is `usb-1-1.3`).
@Suite("Device bindings checked against the deviceId forms")
struct DeviceBindingCheckTests {
    static func config(devices: String) -> String {
        """
        [platform]
        base_url = "http://127.0.0.1:8080/api/v1"
        app_key = "k"

        [[window]]
        area_code = "533103"
        window_code = "W01"
        devices = \(devices)
        """
    }

    @Test func aBarePortPathIsAnErrorThatGivesTheSpelling() {
        let check = ConfigurationLoader.parse(text: Self.config(devices: #"["1-1.3"]"#))
        #expect(check.configuration == nil || !check.errors.isEmpty)
        let issue = check.errors.first { $0.location == "[[window]] #1 devices" }
        #expect(issue?.message.contains(#"the deviceId of a device without a serial number is "usb-1-1.3""#) == true, "\(check.issues)")
        #expect(issue?.line == 8)
    }

    @Test func nodesBrokenPortPathsAndSpacesAreErrors() {
        for bad in [#"["/dev/input/event5"]"#, #"["usb-1-x"]"#, #"["KP 42"]"#] {
            let check = ConfigurationLoader.parse(text: Self.config(devices: bad))
            #expect(check.errors.contains { $0.location == "[[window]] #1 devices" }, "\(bad): \(check.issues)")
        }
    }

    @Test func everyFormADeviceReportsIsAccepted() {
        let check = ConfigurationLoader.parse(text: Self.config(devices: #"["KP-0042", "usb-1-1.3", "usb-3-2.4.1", "simulated-keypad"]"#))
        #expect(!check.errors.contains { $0.location.hasSuffix("devices") }, "\(check.errors)")
        #expect(DeviceIdForm.parse("usb-1-1.3") == .success(.portPath("1-1.3")))
        #expect(DeviceIdForm.parse("KP-0042") == .success(.serial("KP-0042")))
        #expect(DeviceIdForm.parse("simulated-keypad", simulatedIds: ["simulated-keypad"]) == .success(.simulated("simulated-keypad")))
    }

    /// The same spelling as `DeviceIdentity.deviceId` produces.
    @Test func theFormsAreWhatDevicesReport() {
        let noSerial = DeviceIdentity(vendorId: 0x1209, productId: 0xe7a1, portPath: "1-1.3", name: "keypad")
        #expect(DeviceIdForm.parse(noSerial.deviceId) == .success(.portPath("1-1.3")))
        let serial = DeviceIdentity(vendorId: 0x1209, productId: 0xe7a1, serial: "KP-0042", portPath: "1-1.3", name: "keypad")
        #expect(DeviceIdForm.parse(serial.deviceId) == .success(.serial("KP-0042")))
    }

    /// Absent bound devices and skipped profiles are warnings (evald runs
    /// without them), each once, naming the window or the file and field.
    @Test func deviceIssuesWarnAboutAbsentDevicesAndSkippedProfiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("evald-binding-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try #"{"name":"k","match":{"vendorId":"1209"},"backend":"hidraw","role":"keypad","report":{"length":8,"offset":9,"bitmap":true,"mask":31}}"#
            .write(to: dir.appendingPathComponent("k.json"), atomically: true, encoding: .utf8)
        let text = Self.config(devices: #"["KP-ABSENT-0001", "simulated-keypad"]"#)
            + "\n\n[devices]\nsimulated_keypad = \"stdin\"\nprofile_dir = \"\(dir.path)\"\n"
        let configuration = try ConfigurationLoader.parse(text: text).get()
        let issues = configuration.deviceIssues(profiles: configuration.deviceProfiles())
        #expect(issues.map(\.description) == [
            "warning: [devices] profile_dir: \(dir.path)/k.json: k: report.offset 9 is outside the 8-byte report (offsets 0–7) (this profile is skipped)",
            #"warning: [[window]] W01 devices: "KP-ABSENT-0001" is not attached now; evald attaches it when it is plugged in"#,
        ])
    }
}
