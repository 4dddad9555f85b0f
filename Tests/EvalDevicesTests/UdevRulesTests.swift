@testable import EvalDevices
import Foundation
import Testing

@Suite struct UdevRulesTests {
    /// `udev/70-evald.rules` at the package root, found from this source file.
    static var committedPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("udev/70-evald.rules").path
    }

    @Test func committedRulesMatchTheProfileTable() throws {
        let committed = try String(contentsOfFile: Self.committedPath, encoding: .utf8)
        let rendered = UdevRules.render(ProfileCatalog.builtIn.profiles)
        #expect(committed == rendered, "udev/70-evald.rules is stale; regenerate with: \(UdevRules.regenerateCommand)")
    }

    @Test func rulesAreGuardedAndNeverWorldWritable() {
        let catalog = ProfileCatalog.load(directory: TestPaths.fixture("profiles")).catalog
        let rules = UdevRules.render(catalog.profiles)
        let lines = rules.split(separator: "\n").map(String.init)
        #expect(lines.first { !$0.hasPrefix("#") } == "ACTION!=\"add|change\", GOTO=\"evald_end\"")
        #expect(lines.last == "LABEL=\"evald_end\"")
        let rulesOnly = lines.filter { $0.contains("ATTRS{idVendor}") }
        #expect(!rulesOnly.isEmpty)
        for rule in rulesOnly {
            #expect(rule.contains("GROUP=\"evald\"") && rule.contains("MODE=\"0660\""), "\(rule)")
            #expect(!rule.contains("0666") && !rule.contains("uaccess"), "\(rule)")
        }
        #expect(rules.contains("SUBSYSTEM==\"usb\", ENV{DEVTYPE}==\"usb_device\", ATTRS{idVendor}==\"1209\", ATTRS{idProduct}==\"e7a1\""))
        #expect(rules.contains("SUBSYSTEM==\"input\", KERNEL==\"event*\", ATTRS{idVendor}==\"1209\", ATTRS{idProduct}==\"e7a2\""))
        #expect(rules.contains("SUBSYSTEM==\"input\", KERNEL==\"event*\", ATTRS{idVendor}==\"0c2e\", GROUP"))
        // Templates without a VID:PID produce no rule.
        #expect(!rules.contains("keypad-digits"))
    }

    @Test func hidrawProfilesGetAHidrawRule() {
        let profile = DeviceProfile(name: "vendor-hidraw", match: DeviceMatch(vendorId: 0x1209, productId: 0x0003), backend: .hidraw, role: .keypad,
                                    report: ReportLayout(offset: 0, bitmap: true))
        #expect(UdevRules.render([profile]).contains("SUBSYSTEM==\"hidraw\", ATTRS{idVendor}==\"1209\", ATTRS{idProduct}==\"0003\", GROUP=\"evald\", MODE=\"0660\""))
    }
}
