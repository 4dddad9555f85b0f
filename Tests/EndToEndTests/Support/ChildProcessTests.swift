import EvalTesting
import Foundation
import Testing

/// The child-process helper every end-to-end test reads CLIs through: what a
/// child writes just before it exits is all there once its exit is reported.
@Suite struct ChildProcessTests {
    /// A CLI's error sentence on stderr, then its exit status at once. The
    /// exit used to be reported once stdout was read to its end, not stderr:
    /// a test expecting the sentence could see none (a flake of the counter
    /// API's evalctl test under the full suite's load). That race needs a
    /// slow stderr reader and does not show here on an idle machine; what
    /// this asserts is that nothing written is lost or cut, on both streams.
    @Test func theLastWordsOnBothStreamsArrivedWhenTheExitIsReported() async throws {
        // 4 MiB on stderr: the child can only exit once all but the pipe's
        // last buffer (64 KiB) was read, so that much is still unread at exit.
        for round in 0..<20 {
            let outcome = try await ChildProcess.run(URL(fileURLWithPath: "/bin/sh"),
                                                     arguments: ["-c", "echo out; head -c 4194304 /dev/zero | tr '\\0' e >&2; echo ' end' >&2; exit 3"])
            #expect(outcome.status == 3)
            #expect(outcome.stdout == "out\n")
            #expect(outcome.stderr.utf8.count == 4_194_304 + 5 && outcome.stderr.hasSuffix(" end\n"),
                    "round \(round): \(outcome.stderr.utf8.count) bytes of stderr")
            if !outcome.stderr.hasSuffix(" end\n") { break }
        }
    }
}
