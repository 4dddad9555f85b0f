import ArgumentParser
import EvalCore
import EvalDevices
import EvalOperator
import EvalQueue
import Foundation

struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List keypads and scanners: VID:PID, serial, port, profile, bound window, online.",
        subcommands: [DevicesListCommand.self, DevicesWatchCommand.self, DevicesLearnCommand.self, DevicesPromptCommand.self],
        defaultSubcommand: DevicesListCommand.self
    )
}

struct DevicesListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List attached and bound devices.")

    @OptionGroup var options: GlobalOptions
    @Flag(help: "Machine-readable output.")
    var json = false
    @OptionGroup var table: TableOptions

    func run() throws {
        let context = try options.context()
        let configuration = context.configuration
        let profiles = configuration.deviceProfiles()
        for problem in profiles.problems { FileHandle.standardError.write(Data("warning: \(problem)\n".utf8)) }
        let inventory = configuration.deviceInventory(catalog: profiles.catalog)
        let entries = inventory.scan()
        if json {
            print(Output.json(entries.map { entry -> [String: Any] in
                [
                    "kind": entry.kind.rawValue, "node": entry.identity.node ?? NSNull(), "vidPid": entry.identity.vidPid,
                    "serial": entry.identity.serial ?? NSNull(), "portPath": entry.identity.portPath ?? NSNull(),
                    "deviceId": entry.identity.deviceId, "name": entry.identity.name, "profile": entry.profile ?? NSNull(),
                    "window": entry.binding?.windowCode ?? NSNull(), "hall": entry.binding?.hallCode ?? NSNull(), "online": entry.online,
                    "busWindows": entry.busWindows,
                ]
            }))
            return
        }
        if entries.isEmpty {
            print("no USB HID keypads or scanners found (udev shows none)")
            return
        }
        let rows = entries.map { e in
            [e.online ? "在线 online" : "离线 offline", e.kind.rawValue, e.identity.vidPid, e.identity.deviceId, e.identity.node ?? "-",
             e.profile ?? "(none)",
             e.busWindows.isEmpty ? e.binding.map { "\($0.hallCode.map { "\($0)/" } ?? "")\($0.windowCode)" } ?? "unbound" : e.busWindows.joined(separator: " "),
             e.identity.name]
        }
        // At 80 columns the name, node, profile and VID:PID go first: the deviceId is what a [[window]] binds.
        let header = ["状态 state", "类型 kind", "VID:PID", "设备 deviceId", "节点 node", "型号 profile", "窗口 window", "名称 name"]
        print(TextTable(header: header, rows: rows, optional: [7, 4, 5, 2]).render(width: table.width), terminator: "")
        if entries.contains(where: { $0.binding == nil && $0.busWindows.isEmpty && $0.online }) {
            print("\nUnbound devices are ignored: add their deviceId to a [[window]] devices list, then `systemctl reload evald`.")
        }
    }
}
