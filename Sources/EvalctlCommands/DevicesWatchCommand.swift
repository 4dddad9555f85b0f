import ArgumentParser
import EvalCore
import EvalDevices
import EvalOperator
import EvalQueue
import Foundation
import Logging

struct DevicesWatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Learn mode: show raw reports and key events with the decoded buttons and scans, live — also from HID devices no profile matches (evdev and hidraw, not grabbed; libusb for those no kernel driver holds).",
        discussion: "evald grabs its devices exclusively: stop it first (systemctl stop evald) to watch them."
    )

    @OptionGroup var options: GlobalOptions
    @Flag(help: "One JSON object per line.")
    var json = false
    @Option(help: "Watch this serial port's raw bytes instead (a serial keypad: /dev/ttyUSB0, /dev/ttyS1).")
    var tty: String?
    @Option(help: "With --tty: the line setting, as \"9600 8N1\".")
    var line = "9600 8N1"
    @Flag(help: "With --tty: try the common line settings in turn, --seconds each.")
    var tryCommon = false
    @Option(help: "With --tty: stop (or move to the next setting) after this many seconds.")
    var seconds: Double?

    func run() async throws {
        if let tty {
            guard let setting = LineSettings(text: line) else { throw Failure("--line \(line): expected a setting such as \"9600 8N1\"") }
            await DevicesWatchTTY.run(tty: tty, lines: tryCommon ? LineSettings.common : [setting], seconds: tryCommon ? seconds ?? 10 : seconds)
            return
        }
        let context = try options.context()
        let configuration = context.configuration
        if case .running(let pid, _) = context.daemon() {
            FileHandle.standardError.write(Data("note: evald (pid \(pid.map(String.init) ?? "?")) is running and holds its devices; only devices it does not use are shown\n".utf8))
        }
        let profiles = configuration.deviceProfiles()
        var hubConfiguration = configuration.deviceHubConfiguration(catalog: profiles.catalog)
        hubConfiguration.simulatedKeypads = []
        // Devices no profile matches are the ones a technician runs learn mode for.
        hubConfiguration.learn = true
        var logger = Logger(label: "evalctl.devices")
        logger.logLevel = .warning
        let hub = DeviceHub(configuration: hubConfiguration, logger: logger)
        print("watching (Ctrl-C to stop)…")
        for await output in hub.watch() {
            let line: String
            switch output {
            case .event(let event):
                line = json ? Output.json(["event": "\(event)"]).replacingOccurrences(of: "\n", with: "") : "event  \(event)"
            case .raw(let device, let raw):
                line = json ? Output.json(["device": device.deviceId, "raw": "\(raw)"]).replacingOccurrences(of: "\n", with: "")
                    : "raw    \(device.deviceId) \(device.vidPid) \(raw)"
            }
            print(TerminalText.escaped(line))
            fflush(nil)
        }
    }
}
