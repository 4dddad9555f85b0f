import EvalCore
@testable import EvalDevices
import Foundation
import Testing

@Suite struct ProfileTests {
    @Test func builtInProfilesAreUsable() {
        for profile in ProfileCatalog.builtIn.profiles {
            #expect(profile.problems() == [], "\(profile.name)")
        }
        let names = ProfileCatalog.builtIn.profiles.map(\.name)
        #expect(names.contains("keypad-digits") && names.contains("keypad-function") && names.contains("keypad-numpad"))
        #expect(names.contains("scanner-keyboard-wedge"))
    }

    @Test func defaultButtonOrderIsExplicit() {
        let buttons = BuiltInProfiles.digitKeypad.buttons
        #expect(buttons.rating(forButton: 1) == .verySatisfied)
        #expect(buttons.rating(forButton: 5) == .veryDissatisfied)
        #expect(buttons.rating(forButton: 6) == nil)
    }

    @Test func directoryAddsExtendsAndReportsBadFiles() throws {
        let result = ProfileCatalog.load(directory: TestPaths.fixture("profiles"))
        let vendor = try #require(result.catalog.profile(named: "test-vendor-keypad"))
        #expect(vendor.backend == .libusb)
        #expect(vendor.report?.reportId == 1)
        #expect(vendor.buttons.rating(forButton: 1) == .verySatisfied)

        let fkeys = try #require(result.catalog.profile(named: "test-fkeys-keypad"))
        #expect(fkeys.keys == BuiltInProfiles.functionKeypad.keys, "extends copies the template's keys")
        #expect(fkeys.match.vendorId == 0x1209 && fkeys.match.productId == 0xE7A2)
        #expect(fkeys.buttons.rating(forButton: 5) == .verySatisfied, "reversed order from the file")

        #expect(result.problems.count == 1)
        #expect(result.problems.first?.contains("broken.json") == true)
        #expect(result.catalog.profile(named: "broken-keypad") == nil)
        #expect(result.catalog.profile(named: "keypad-digits") != nil, "built-ins stay")
    }

    @Test func fileOverridesABuiltInOfTheSameName() throws {
        let dir = try TemporaryDirectoryForDevices()
        defer { dir.remove() }
        try #"{"name":"scanner-honeywell","extends":"scanner-honeywell","scan":{"terminator":"tab","interKeyTimeoutMilliseconds":50,"maxLength":64}}"#
            .write(toFile: dir.path("honeywell.json"), atomically: true, encoding: .utf8)
        let result = ProfileCatalog.load(directory: dir.url.path)
        #expect(result.problems == [])
        let profile = try #require(result.catalog.profile(named: "scanner-honeywell"))
        #expect(profile.scan == ScanSettings(terminator: .tab, interKeyTimeoutMilliseconds: 50, maxLength: 64))
        #expect(profile.match.vendorId == 0x0C2E)
    }

    @Test func missingDirectoryMeansBuiltInsOnly() {
        let result = ProfileCatalog.load(directory: "/nonexistent/evald/profiles.d")
        #expect(result.problems == [])
        #expect(result.catalog.profiles == ProfileCatalog.builtIn.profiles)
    }

    @Test func mostSpecificMatchWins() {
        let catalog = ProfileCatalog(BuiltInProfiles.all + [
            DeviceProfile(name: "z-vendor-any", match: DeviceMatch(vendorId: 0x1234), backend: .evdev, role: .scanner, scan: ScanSettings()),
            DeviceProfile(name: "a-exact", match: DeviceMatch(vendorId: 0x1234, productId: 0x0001), backend: .evdev, role: .keypad,
                          keys: BuiltInProfiles.digitKeypad.keys),
        ])
        #expect(catalog.match(vendorId: 0x1234, productId: 0x0001)?.name == "a-exact")
        #expect(catalog.match(vendorId: 0x1234, productId: 0x0002)?.name == "z-vendor-any")
        #expect(catalog.match(vendorId: 0x1234, productId: 0x0001, backend: .libusb) == nil)
        #expect(catalog.match(vendorId: 0x0C2E, productId: 0x0B61)?.name == "scanner-honeywell")
        #expect(catalog.match(vendorId: 0x046D, productId: 0xC31C) == nil, "an ordinary keyboard is never grabbed")
    }

    @Test func invalidProfilesAreExplained() {
        let noReport = DeviceProfile(name: "x", match: DeviceMatch(vendorId: 1), backend: .hidraw, role: .keypad)
        #expect(noReport.problems().contains { $0.contains("needs \"report\"") })
        let scannerOverUSB = DeviceProfile(name: "y", match: DeviceMatch(vendorId: 1), backend: .libusb, role: .scanner)
        #expect(scannerOverUSB.problems().contains { $0.contains("keyboard wedge") })
        let unmapped = DeviceProfile(name: "z", match: DeviceMatch(), backend: .evdev, role: .keypad,
                                     keys: [KeyBinding(code: 2, button: 9)])
        #expect(unmapped.problems().contains { $0.contains("button 9") })
    }
}

/// A temp directory (EvalTesting's, wrapped so this file reads plainly).
struct TemporaryDirectoryForDevices {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("evald-devices-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func remove() { try? FileManager.default.removeItem(at: url) }
}
