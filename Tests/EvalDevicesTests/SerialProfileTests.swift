import EvalCore
@testable import EvalDevices
import Foundation
import EvalTesting
import Testing

/// Serial profiles as data: the built-in examples are valid and marked
/// illustrative, a profile file round-trips, a bad one names its field, and
/// the prompt frames come out byte for byte (address, GBK text, checksum).
struct SerialProfileTests {
    @Test func builtInSerialExamplesAreValidAndIllustrative() {
        for profile in BuiltInSerialProfiles.all {
            #expect(profile.problems().isEmpty, "\(profile.name): \(profile.problems())")
            #expect(profile.serial?.illustrative == true)
            #expect(ProfileCatalog.builtIn.profile(named: profile.name) != nil)
        }
    }

    @Test func aProfileFileExtendsABuiltInWithItsAdapterAndOwnKeyMap() throws {
        let json = """
            {"name": "hall-keypad", "extends": "serial-binary-push-xor8",
             "match": {"vendorId": "1a86", "productId": "7523", "serial": "A9XK2"},
             "serial": {"line": {"baud": 19200, "parity": "even"},
                        "framing": {"kind": "fixed", "length": 5, "header": "AA"},
                        "checksum": {"kind": "sum8", "from": 1},
                        "address": {"offset": 1}, "key": {"offset": 3},
                        "ratings": {"17": 5, "18": 4, "19": 3, "20": 2, "21": 1},
                        "outputs": {"invite": {"frame": "AA {addr} 01 {textlen} {text} {check}", "text": "请评价"}},
                        "textEncoding": "UTF-8"}}
            """
        let profiles = try ProfileCatalog.decodeFile(Data(json.utf8), known: Dictionary(uniqueKeysWithValues: ProfileCatalog.builtIn.profiles.map { ($0.name, $0) }))
        let profile = try #require(profiles.first)
        #expect(profile.problems().isEmpty, "\(profile.problems())")
        let layout = try #require(profile.serial)
        #expect(profile.backend == .serial)
        #expect(layout.line.summary == "19200 8E1")
        #expect(layout.ratings[0x11] == .verySatisfied)
        let invite = try layout.render(try #require(layout.outputs.invite), address: 3)
        let text = Array("请评价".utf8)
        let body = [0xAA, 0x03, 0x01, UInt8(text.count)] + text
        #expect(invite == body + [body.dropFirst().reduce(0, &+)])
        #expect(UdevRules.rule(for: profile) == "SUBSYSTEM==\"tty\", ATTRS{idVendor}==\"1a86\", ATTRS{idProduct}==\"7523\", ATTRS{serial}==\"A9XK2\", GROUP=\"evald\", MODE=\"0660\"")
        // It survives encoding (what `evalctl devices learn` writes).
        let again = try JSONDecoder().decode(DeviceProfile.self, from: JSONEncoder().encode(profile))
        #expect(again == profile)
    }

    @Test func aBadSerialProfileNamesTheField() throws {
        let json = """
            {"name": "bad", "backend": "serial", "role": "keypad",
             "serial": {"framing": {"kind": "fixed", "length": 4}, "key": {"offset": 6}, "ratings": {"1": 5},
                        "checksum": {"kind": "xor8"}, "mode": "polled",
                        "outputs": {"invite": {"frame": "AA {addr} 01"}}, "line": {"baud": 12345}}}
            """
        let profile = try #require(ProfileCatalog.decodeFile(Data(json.utf8), known: [:]).first)
        let problems = profile.problems().joined(separator: "\n")
        #expect(problems.contains("serial.key (offset 6, length 1) is outside the 4-byte frame"))
        #expect(problems.contains("a polled model needs \"poll\""))
        #expect(problems.contains("serial.outputs.invite: no {check}"))
        #expect(problems.contains("serial.line.baud 12345"))
        let typo = #"{"name": "t", "backend": "serial", "role": "keypad", "serial": {"framing": {"kind": "line", "lenght": 3}}}"#
        #expect(throws: (any Error).self) { try ProfileCatalog.decodeFile(Data(typo.utf8), known: [:]) }
        #expect(throws: (any Error).self) { try FrameTemplate("AA {adr} 01") }
    }

    /// The frames the three examples send, byte for byte (GBK text, xor8, CRC-16/MODBUS).
    @Test func promptFramesByteForByte() throws {
        let polled = try #require(BuiltInSerialProfiles.polledModbus.serial)
        #expect(try polled.render(try #require(polled.outputs.invite), address: 1)
            == [0xAA, 0x01, 0x01, 0x06, 0xC7, 0xEB, 0xC6, 0xC0, 0xBC, 0xDB, 0xC4, 0x76])
        #expect(try polled.render(try #require(polled.outputs.thanks), address: 2) == [0xAA, 0x02, 0x02, 0x04, 0xD0, 0xBB, 0xD0, 0xBB, 0x4C, 0xB8])
        #expect(try polled.poll!.frame.render(address: 2, checksum: polled.checksum) == [0xAA, 0x02, 0x50, 0x50, 0xBC])
        let push = try #require(BuiltInSerialProfiles.binaryPush.serial)
        #expect(try push.render(try #require(push.outputs.invite), address: 1) == [0xAA, 0x01, 0x01, 0x00, 0x00])
        #expect(try push.render(try #require(push.outputs.thanks), address: 1) == [0xAA, 0x01, 0x02, 0x00, 0x03])
        // The staff line and issue 26's reason prompt take the caller's text.
        #expect(try push.render(try #require(push.outputs.staff), address: 1, text: "张三").prefix(4) == [0xAB, 0x01, 0x04, 0xD5])
        #expect(try push.render(try #require(push.outputs.reason), address: 5) == [0xAA, 0x05, 0x04, 0x00, 0x01])
        let ascii = try #require(BuiltInSerialProfiles.asciiLine.serial)
        #expect(Hex.bytes(try ascii.render(try #require(ascii.outputs.invite), address: 3))
            == "2330332c492cc7ebc4fab6d4b1beb4ceb7fecef1d7f6b3f6c6c0bcdb0d0a")
        // Text the device's encoding cannot hold is refused, never mangled.
        #expect(throws: FrameTemplate.TemplateError.self) { try push.render(try #require(push.outputs.staff), address: 1, text: "😀") }
    }

    @Test func bindingsNameALineAndAnAddress() {
        #expect(DeviceIdForm.splitAddress("usb-1-1.3@2") == ("usb-1-1.3", 2))
        #expect(DeviceIdForm.parse("usb-1-1.3@2") == .success(.portPath("1-1.3")))
        #expect(DeviceIdForm.parse("tty-ttyS1@12") == .success(.tty("ttyS1")))
        if case .success = DeviceIdForm.parse("A9XK2@x") { Issue.record("an address must be a number") }
        let identity = DeviceIdentity(vendorId: 0x1a86, productId: 0x7523, serial: "A9XK2", name: "CH340").at(address: 3)
        #expect(identity.deviceId == "A9XK2@3")
        #expect(identity.lineId == "A9XK2")
        #expect(SerialReader.addresses(of: "A9XK2", in: [DeviceBinding(deviceId: "A9XK2@3", windowCode: "W1"),
                                                          DeviceBinding(deviceId: "A9XK2@1", windowCode: "W2"),
                                                          DeviceBinding(deviceId: "other@4", windowCode: "W3")]) == [1, 3])
    }
}

/// The device table feeds the udev rules and the inventory for serial lines too.
struct SerialTableTests {
    @Test func udevRulesNameOnlyTheBoundAdapters() {
        var profile = BuiltInSerialProfiles.binaryPush
        profile.name = "hall-ch340"
        profile.match = DeviceMatch(vendorId: 0x1a86, productId: 0x7523)
        let rules = UdevRules.render([profile], boundLines: ["A9XK2", "usb-1-1.3", "tty-ttyS1", "A9XK2"])
        #expect(rules.contains(#"SUBSYSTEM=="tty", ATTRS{idVendor}=="1a86", ATTRS{idProduct}=="7523", ATTRS{serial}=="A9XK2", GROUP="evald", MODE="0660""#))
        #expect(rules.contains(#"SUBSYSTEM=="tty", ATTRS{idVendor}=="1a86", ATTRS{idProduct}=="7523", KERNELS=="1-1.3", GROUP="evald", MODE="0660""#))
        #expect(rules.components(separatedBy: "SUBSYSTEM==\"tty\"").count == 3, "no blanket rule, none for a built-in UART:\n\(rules)")
        #expect(!UdevRules.render([profile]).contains("ttyUSB") && !UdevRules.render([profile]).contains("SUBSYSTEM==\"tty\""))
    }

    @Test func aConfiguredSerialPortIsListedWithItsAddressesWindows() throws {
        let dir = try TemporaryDirectory(prefix: "evald-serial-inventory")
        defer { dir.remove() }
        FileManager.default.createFile(atPath: dir.path("ttyS9"), contents: nil)
        let inventory = DeviceInventory(
            bindings: [DeviceBinding(deviceId: "tty-ttyS9@2", hallCode: "H1", windowCode: "W02"), DeviceBinding(deviceId: "tty-ttyS9@1", windowCode: "W01"),
                       DeviceBinding(deviceId: "A9XK2@4", windowCode: "W04")],
            serialPorts: [SerialPortSource(path: dir.path("ttyS9"), profile: "serial-polled-crc16")])
        let entries = inventory.scan([])
        let line = try #require(entries.first { $0.kind == .tty })
        #expect(line.online && line.identity.deviceId == "tty-ttyS9" && line.profile == "serial-polled-crc16")
        #expect(line.busWindows == ["@1=W01", "@2=H1/W02"])
        #expect(line.description.contains("window=@1=W01,@2=H1/W02"))
        // Its keypads are not "absent"; a bound adapter that is not plugged in is, as `A9XK2@4`.
        let absent = entries.filter { !$0.online }.map(\.identity.deviceId)
        #expect(absent == ["A9XK2@4"])
    }
}
