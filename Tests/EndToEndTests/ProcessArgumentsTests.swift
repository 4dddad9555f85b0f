import EvalTesting
import Foundation
import Testing

/// Issue 10: under `LD_PRELOAD=libfaketime.so.1`, and in a root without
/// /proc, evald and evalctl lost their arguments (Swift's runtime rebuilds
/// argv from /proc/self/maps and `environ`; libfaketime's constructor moves
/// `environ`). They now parse what glibc passed to their ELF constructor.
@Suite("arguments reach evald and evalctl however they are started", .serialized)
struct ProcessArgumentsTests {
    static let faketime = Faketime.library

    @Test(.enabled(if: faketime != nil, "needs libfaketime (scripts/bootstrap.sh installs faketime)"))
    func evaldUnderPreloadedLibfaketimeChecksTheGivenConfig() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = TestConfig(directory: dir.url.path)
        try config.write()
        let environment = Faketime.preloadEnvironment(faketime: "@2000-01-01 08:00:00", library: Self.faketime!)

        // The environment really fakes the time (else this test proves nothing).
        let date = try ChildProcess(URL(fileURLWithPath: "/bin/date"), arguments: ["-u", "+%Y"], environment: environment)
        #expect(try await date.waitForExit() == 0)
        #expect(date.receivedLines == ["2000"])

        let evald = try ChildProcess(try BuiltProducts.executable(named: "evald"),
                                     arguments: ["--check-config", "--config", config.configPath], environment: environment)
        let status = try await evald.waitForExit(timeout: .seconds(60))
        #expect(status == 0, "stdout \(evald.receivedLines); stderr \(evald.stderr)")
        #expect(evald.receivedLines.last?.hasPrefix("\(config.configPath): OK (1 window(s)") == true, "\(evald.receivedLines); stderr \(evald.stderr)")
    }

    @Test(.enabled(if: faketime != nil, "needs libfaketime (scripts/bootstrap.sh installs faketime)"))
    func evalctlUnderPreloadedLibfaketimeReadsTheGivenConfig() async throws {
        let missing = "/nonexistent-\(UUID().uuidString)/evald.toml"
        let evalctl = try ChildProcess(try BuiltProducts.executable(named: "evalctl"),
                                       arguments: ["status", "--config", missing],
                                       environment: Faketime.preloadEnvironment(faketime: "-2h", library: Self.faketime!))
        _ = try await evalctl.waitForExit(timeout: .seconds(60))
        let output = evalctl.receivedLines.joined(separator: "\n") + evalctl.stderr
        #expect(output.contains(missing), "\(output)")
        #expect(!output.contains("/etc/evald/evald.toml"), "\(output)")
    }

    /// A private mount namespace with an empty tmpfs over /proc: what a chroot
    /// without /proc looks like to the program. Needs CAP_SYS_ADMIN.
    static let canHideProc: Bool = {
        // Evaluated once, when the trait is read, outside any test's task: a plain Process.
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        probe.arguments = ["--mount", "--", "sh", "-c", "mount -t tmpfs none /proc && test ! -e /proc/self/maps"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()

    @Test(.enabled(if: canHideProc, "needs unshare --mount (root) to hide /proc"))
    func evaldWithoutProcChecksTheGivenConfig() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = TestConfig(directory: dir.url.path)
        try config.write()
        let evald = try BuiltProducts.executable(named: "evald").path
        let child = try ChildProcess(URL(fileURLWithPath: "/usr/bin/unshare"), arguments: [
            "--mount", "--", "sh", "-c", "mount -t tmpfs none /proc && exec \"$0\" \"$@\"",
            evald, "--check-config", "--config", config.configPath,
        ])
        let status = try await child.waitForExit(timeout: .seconds(60))
        #expect(status == 0, "stdout \(child.receivedLines); stderr \(child.stderr)")
        #expect(child.receivedLines.last?.hasPrefix("\(config.configPath): OK (1 window(s)") == true, "\(child.receivedLines); stderr \(child.stderr)")
    }
}
