import EvalDevices
import EvalOperator
import Foundation
import Testing

/// `[devices] serial_ports` and bindings by bus address (issue 25).
@Suite("Serial ports and bus-address bindings in evald.toml")
struct SerialPortsConfigurationTests {
    static func config(devices: String, serialPorts: String) -> String {
        """
        [platform]
        base_url = "http://127.0.0.1:8080/api/v1"
        app_key = "k"

        [[window]]
        area_code = "533103"
        window_code = "W01"
        devices = \(devices)

        [devices]
        serial_ports = \(serialPorts)
        """
    }

    @Test func aPortAndAddressesBindAndReachTheHub() throws {
        let check = ConfigurationLoader.parse(text: Self.config(
            devices: #"["tty-ttyS1@1", "A9XK2@3", "usb-1-1.3@2"]"#,
            serialPorts: #"[{ path = "/dev/ttyS1", profile = "serial-polled-crc16", reopen_ms = 500 }]"#))
        #expect(check.errors.isEmpty, "\(check.issues)")
        let configuration = try #require(check.configuration)
        #expect(configuration.devices.serialPorts == [SerialPortSetting(path: "/dev/ttyS1", profile: "serial-polled-crc16", reopenMillis: 500)])
        let hub = configuration.deviceHubConfiguration(catalog: .builtIn)
        #expect(hub.serialPorts == [SerialPortSource(path: "/dev/ttyS1", profile: "serial-polled-crc16", reopenMilliseconds: 500)])
        #expect(hub.catalog.profile(named: "serial-polled-crc16") != nil)
    }

    @Test func badEntriesAreErrorsNamingTheKey() {
        for (ports, expected) in [
            (#"[{ path = "ttyS1", profile = "p" }]"#, "absolute path"),
            (#"[{ path = "/dev/ttyS1" }]"#, "needs an absolute path and a profile"),
            (#"[{ path = "/dev/ttyS1", profile = "p", baud = 9600 }]"#, "baud"),
            (#"[{ path = "/dev/ttyS1", profile = "p" }, { path = "/dev/ttyS1", profile = "q" }]"#, "listed twice"),
        ] {
            let check = ConfigurationLoader.parse(text: Self.config(devices: #"["tty-ttyS1@1"]"#, serialPorts: ports))
            #expect(check.errors.contains { "\($0)".contains(expected) }, "\(ports): \(check.issues)")
        }
        let badAddress = ConfigurationLoader.parse(text: Self.config(devices: #"["A9XK2@x"]"#, serialPorts: "[]"))
        #expect(badAddress.errors.contains { $0.message.contains("bus address") }, "\(badAddress.issues)")
    }
}
