import EvalTesting
import Foundation
import Testing

@Suite("systemd unit: hardening and validity")
struct SystemdUnitTests {
    static var unit: String { BuiltProducts.packageRoot.appendingPathComponent("systemd/evald.service").path }

    @Test func exposureIsAtMostTwo() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let result = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/systemd-analyze"), arguments: ["security", "--offline=yes", "--threshold=20", Self.unit],
                                         directory: dir.url.path)
        #expect(result.status == 0, "systemd-analyze security failed:\n\(result.stdout)\n\(result.stderr)")
        let line = result.stdout.split(separator: "\n").last { $0.contains("Overall exposure level") }
        let level = line.flatMap { $0.split(separator: " ").compactMap { Double($0) }.first }
        #expect(level != nil, "no exposure line in:\n\(result.stdout)")
        #expect((level ?? 99) <= 2.0)
    }

    @Test func verifiesWithTheBuiltBinary() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // verify needs ExecStart's binary to exist: point it at the built evald.
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8)
            .replacingOccurrences(of: "ExecStart=/usr/bin/evald", with: "ExecStart=\(try BuiltProducts.executable(named: "evald").path)")
        let copy = dir.path("evald.service")
        try Data(text.utf8).write(to: URL(fileURLWithPath: copy))
        // verify also runs man(1) for Documentation=man:…: give it the packaged pages, as installed.
        let pages = BuiltProducts.packageRoot.appendingPathComponent("packaging/man")
        for page in ["evald.8", "evalctl.8", "evald.toml.5"] {
            let section = dir.path("man/man\(page.split(separator: ".").last!)")
            try FileManager.default.createDirectory(atPath: section, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: pages.appendingPathComponent(page).path, toPath: "\(section)/\(page)")
        }
        let result = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/systemd-analyze"), arguments: ["verify", copy],
                                                environment: ["MANPATH": dir.path("man")], directory: dir.url.path)
        #expect(result.status == 0, "systemd-analyze verify:\n\(result.stdout)\n\(result.stderr)")
        #expect(!result.stderr.contains("Unknown key"), "\(result.stderr)")
    }

    @Test func theUnitSaysWhatTheIssueAsksFor() throws {
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8)
        for line in [
            "Type=notify", "User=evald", "DynamicUser=no", "SupplementaryGroups=evald", "Restart=on-failure",
            "StateDirectory=evald", "ConfigurationDirectory=evald", "NoNewPrivileges=yes", "ProtectSystem=strict",
            "CapabilityBoundingSet=", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK",
            "SystemCallFilter=@system-service", "UMask=0077", "LoadCredential=app-secret:/etc/evald/app-secret",
            "RestartPreventExitStatus=78",
            // Issue #24 item 5: descriptors, tasks and memory bounded (the reasons are in the unit).
            "LimitNOFILE=8192", "TasksMax=512", "MemoryMax=512M",
            "DeviceAllow=char-usb_device rw", "DeviceAllow=char-hidraw rw", "DeviceAllow=char-input rw",
            // Issue 25: serial evaluators.
            "DeviceAllow=char-ttyUSB rw", "DeviceAllow=char-ttyACM rw", "DeviceAllow=char-ttyS rw",
        ] {
            #expect(text.split(separator: "\n").contains { $0 == line }, "missing \(line)")
        }
        // evald's own shutdown deadline must be inside systemd's.
        let stop = text.split(separator: "\n").first { $0.hasPrefix("TimeoutStopSec=") }
        let seconds = stop.flatMap { Int($0.dropFirst("TimeoutStopSec=".count).dropLast()) }
        #expect(seconds == 30)
        #expect(text.contains("WatchdogSec="))
    }
}
