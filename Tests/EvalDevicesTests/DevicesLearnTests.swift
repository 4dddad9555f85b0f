import EvalTesting
import Foundation
import Testing

/// `evalctl devices learn` on a keypad no built-in profile matches, under
/// umockdev: the prompted presses become a draft profile file, and the real
/// backend reading with that draft decodes the same presses (issue 13).
@Suite(.enabled(if: TestPaths.umockdevRun != nil && FileManager.default.isExecutableFile(atPath: TestPaths.product("evalctl"))
                && FileManager.default.isExecutableFile(atPath: TestPaths.product("evald-device-probe"))))
struct DevicesLearnTests {
    static let fixture = TestPaths.fixture("umockdev")

    /// Runs the verb with the built-ins only (the config names no profile
    /// directory that exists), writing the draft into `output`.
    func learn(_ umockdev: [String], device: String, output: String) async throws -> ChildProcess.Outcome {
        let config = (output as NSString).deletingLastPathComponent + "/evald.toml"
        try Data("[devices]\nprofile_dir = \"/nonexistent/profiles.d\"\n".utf8).write(to: URL(fileURLWithPath: config))
        let result = try await ChildProcess.run(URL(fileURLWithPath: TestPaths.umockdevRun!), arguments: umockdev + [
            "--", TestPaths.product("evalctl"), "devices", "learn", device, "--config", config, "--output", output, "--timeout", "60"],
            timeout: .seconds(90))
        #expect(result.status == 0, "evalctl devices learn failed:\n\(result.stdout)\n\(result.stderr)")
        return result
    }

    /// Every press of the five prompted, with the release after it.
    @Test func aHidrawVendorKeypadIsLearntAndTheDraftDecodesItsPresses() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let output = dir.path("profiles.d")
        // Reports 1 s apart, the first 2 s after the open: emulated hidraw is a
        // byte stream (a real hidraw node gives one report per read), and
        // without a profile nothing knows the report length, so reports the
        // learner has not read yet would merge (seen under a loaded full run
        // with 300/500 ms: "001100000012"). See LearnModeTests.
        let device = ["--device", "\(Self.fixture)/hidraw-keypad.umockdev", "--script", "/dev/hidraw0=\(Self.fixture)/hidraw-keypad-learn-five.script"]
        let learnt = try await learn(device, device: "BM-7", output: output)
        #expect(learnt.lines == [
            "learning BM-7 1209:e7a3 \"Bitmap Evaluator\" through hidraw /dev/hidraw0",
            "press 非常满意 (button 1 of 5), then release it", "  button 1: report 0011",
            "press 满意 (button 2 of 5), then release it", "  button 2: report 0012",
            "press 基本满意 (button 3 of 5), then release it", "  button 3: report 0013",
            "press 不满意 (button 4 of 5), then release it", "  button 4: report 0014",
            "press 非常不满意 (button 5 of 5), then release it", "  button 5: report 0015",
            "wrote \(output)/1209-e7a3.json (profile learnt-1209-e7a3)",
            "udev rule (install all rules with: evalctl udev-rules --profiles \(output) > /etc/udev/rules.d/70-evald.rules):",
            "# learnt-1209-e7a3 (keypad, hidraw)",
            "SUBSYSTEM==\"hidraw\", ATTRS{idVendor}==\"1209\", ATTRS{idProduct}==\"e7a3\", GROUP=\"evald\", MODE=\"0660\"",
        ])
        let decoded = try await UmockdevTests().probe(device, ["hub", "--no-libusb", "--profiles", output, "--count", "6", "--timeout", "30"])
        #expect(decoded.lines == [
            "attached BM-7 1209:e7a3 Bitmap Evaluator",
            "press BM-7 5 非常满意", "press BM-7 4 满意", "press BM-7 3 基本满意", "press BM-7 2 不满意", "press BM-7 1 非常不满意",
        ])
        #expect(!decoded.stderr.contains("profile problem"), "the draft loads without problems: \(decoded.stderr)")
    }

    /// A keyboard-style keypad: auto-repeat and a lone Ctrl are not buttons.
    @Test func aKeyboardStyleKeypadIsLearntThroughEvdev() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let output = dir.path("profiles.d")
        let device = ["--device", "\(Self.fixture)/keypad-keys.umockdev", "--evemu-events", "/dev/input/event12=\(Self.fixture)/keypad-keys-learn.events"]
        let learnt = try await learn(device, device: "/dev/input/event12", output: output)
        #expect(learnt.lines.filter { $0.hasPrefix("  ") } == [
            "  button 1: key code=63", "  ignored: key code=29 is a modifier, not a button", "  button 2: key code=62",
            "  button 3: key code=61", "  button 4: key code=60", "  button 5: key code=59",
        ])
        #expect(learnt.lines.last == "SUBSYSTEM==\"input\", KERNEL==\"event*\", ATTRS{idVendor}==\"1209\", ATTRS{idProduct}==\"e7a2\", GROUP=\"evald\", MODE=\"0660\"")
        let decoded = try await UmockdevTests().probe(device, ["hub", "--no-libusb", "--profiles", output, "--count", "6", "--timeout", "30"])
        #expect(decoded.lines == [
            "attached usb-1-4 1209:e7a2 Counter Evaluator F-Keys",
            "press usb-1-4 5 非常满意", "press usb-1-4 4 满意", "press usb-1-4 3 基本满意", "press usb-1-4 2 不满意", "press usb-1-4 1 非常不满意",
        ])
    }

    /// No hidraw node: read through libusb, its report ID byte recognised.
    @Test func aLibusbVendorKeypadIsLearnt() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let output = dir.path("profiles.d")
        let device = ["--device", "\(Self.fixture)/vendor-keypad.umockdev", "--ioctl", "/dev/bus/usb/001/005=\(Self.fixture)/vendor-keypad-learn.ioctl"]
        let learnt = try await learn(device, device: "1209:e7a1", output: output)
        #expect(learnt.lines.first == "learning KP-0042 1209:e7a1 \"Five-Button Evaluator\" through usb /dev/bus/usb/001/005")
        #expect(learnt.lines.last == "SUBSYSTEM==\"usb\", ENV{DEVTYPE}==\"usb_device\", ATTRS{idVendor}==\"1209\", ATTRS{idProduct}==\"e7a1\", GROUP=\"evald\", MODE=\"0660\"")
        let draft = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output + "/1209-e7a1.json"))) as? [String: Any]
        let report = draft?["report"] as? [String: Any]
        #expect(report?["reportId"] as? Int == 1 && report?["offset"] as? Int == 2 && report?["length"] as? Int == 4)
        let decoded = try await UmockdevTests().probe(device, ["libusb", "--profiles", output, "--count", "6", "--timeout", "30"])
        #expect(decoded.lines == [
            "attached KP-0042 1209:e7a1 Five-Button Evaluator",
            "press KP-0042 5 非常满意", "press KP-0042 4 满意", "press KP-0042 3 基本满意", "press KP-0042 2 不满意", "press KP-0042 1 非常不满意",
        ])
    }

    @Test func aDeviceThatIsNotAttachedIsNamed() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = dir.path("evald.toml")
        try Data("[devices]\n".utf8).write(to: URL(fileURLWithPath: config))
        let result = try await ChildProcess.run(URL(fileURLWithPath: TestPaths.umockdevRun!), arguments: [
            "--device", "\(Self.fixture)/hidraw-keypad.umockdev", "--", TestPaths.product("evalctl"),
            "devices", "learn", "KP-9999", "--config", config, "--output", dir.path("out")], timeout: .seconds(30))
        #expect(result.status == 1)
        #expect(result.stderr.contains("no attached device KP-9999"))
        #expect(!FileManager.default.fileExists(atPath: dir.path("out")))
    }
}
