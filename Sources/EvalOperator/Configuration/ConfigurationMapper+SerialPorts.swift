import TOMLKit

extension ConfigurationMapper {
    /// `[devices] serial_ports = [{ path = "/dev/ttyS1", profile = "serial-polled-crc16" }]`.
    func serialPorts(_ r: inout TOMLSectionReader) -> [SerialPortSetting] {
        guard let tables = r.tableArray("serial_ports") else { return [] }
        var ports: [SerialPortSetting] = []
        for (i, table) in tables.enumerated() {
            var pr = TOMLSectionReader(table: table, section: "devices", schemaSection: "devices.serial_ports", issues: issues)
            let path = pr.nonEmptyString("path")
            let profile = pr.nonEmptyString("profile")
            let reopen = pr.int("reopen_ms", range: 10...60_000)
            pr.reportUnknownKeys()
            guard let path, path.hasPrefix("/"), let profile else {
                r.error("serial_ports", "entry \(i + 1) needs an absolute path and a profile")
                continue
            }
            if ports.contains(where: { $0.path == path }) {
                r.error("serial_ports", "\(path) is listed twice")
                continue
            }
            ports.append(SerialPortSetting(path: path, profile: profile, reopenMillis: reopen ?? 1_000))
        }
        return ports
    }
}
