#if canImport(Glibc)
import Glibc
#endif
import EvalAgent
import EvalTesting
import Foundation
import Testing

/// Issue 24, item 7: the alert command starts clean. It is an operator's
/// script, run for every bad review: it must not read evald's credentials
/// from its environment, reach its sockets or queue file through inherited
/// descriptors, or inherit ignored signals.
@Suite struct AlertCommandIsolationTests {
    @Test func theChildGetsAFixedEnvironmentNoDescriptorsAndDefaultSignals() async throws {
        let directory = try TemporaryDirectory(prefix: "alert-isolation")
        defer { directory.remove() }
        // What evald's own process has that the child must not: a secret in
        // the environment, a descriptor without CLOEXEC, SIGPIPE ignored.
        setenv("CREDENTIALS_DIRECTORY", "/run/credentials/evald.service", 1)
        defer { unsetenv("CREDENTIALS_DIRECTORY") }
        let leaked = open(directory.path("queue.db"), O_CREAT | O_RDWR, 0o600)
        #expect(leaked > 2)
        defer { close(leaked) }
        let runner = AlertCommandRunner()  // sets SIGPIPE to SIG_IGN, as in the daemon

        let report = directory.path("child.txt")
        let script = #"env > "$0.env"; ls /proc/self/fd > "$0.fd"; grep '^SigIgn' /proc/self/status > "$0.sig"; grep '^SigBlk' /proc/self/status >> "$0.sig""#
        let outcome = await runner.run(["/bin/sh", "-c", script, report], stdin: Array("{}".utf8), timeout: .seconds(30))
        #expect(outcome == .exited(status: 0))

        let environment = try String(contentsOfFile: report + ".env", encoding: .utf8)
        #expect(!environment.contains("CREDENTIALS_DIRECTORY"))
        #expect(environment.contains("PATH=/usr/local/bin:/usr/bin:/bin"))
        // `ls` itself opens the directory it lists: 0, 1, 2 and that one.
        let descriptors = try String(contentsOfFile: report + ".fd", encoding: .utf8).split(separator: "\n").compactMap { Int($0) }
        #expect(!descriptors.contains(Int(leaked)), "descriptors: \(descriptors)")
        #expect(descriptors.filter { $0 > 3 }.isEmpty, "descriptors: \(descriptors)")
        // Masks of signal n at bit n-1. glibc keeps its two internal signals
        // (32, 33) out of every set a program can pass, so only the others
        // are ours to reset; SIGPIPE (13) is the one evald ignores.
        let signals = try String(contentsOfFile: report + ".sig", encoding: .utf8)
        func mask(_ field: String) -> UInt64? {
            signals.split(separator: "\n").first { $0.hasPrefix(field) }
                .flatMap { UInt64($0.split(separator: "\t").last ?? "", radix: 16) }
        }
        let glibcInternal: UInt64 = 0x1_8000_0000
        #expect(mask("SigIgn:").map { $0 & ~glibcInternal } == 0, "\(signals)")
        #expect(mask("SigBlk:").map { $0 & ~glibcInternal } == 0, "\(signals)")
    }
}
