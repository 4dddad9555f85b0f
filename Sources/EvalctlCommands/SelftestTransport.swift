import EvalOperator
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How `evalctl selftest` reaches the platform. evalctl's modules link no
/// network stack (docs/DESIGN.md, "Which module may use which"): the binary
/// that runs them hands the transport in. evald — the shipped
/// /usr/bin/evalctl is a link to it — gives its HTTP transport; the
/// development `evalctl` gives none, and `selftest` becomes the `evald`
/// beside it, started as `evalctl`: the same program the package ships.
public enum SelftestTransport {
    @TaskLocal public static var factory: SelfTest.TransportFactory?

    /// Replaces this process with the `evald` beside this executable, started
    /// as `evalctl` with `arguments`; returns only by throwing.
    static func execEvaldBeside(arguments: [String]) throws -> Never {
        let evald = try evaldBeside()
        let argv = (["evalctl"] + arguments).map { strdup($0) } + [nil]
        execv(evald, argv)
        throw Failure("selftest: cannot start \(evald): \(String(cString: strerror(errno)))")
    }

    /// `evald` in this executable's folder (`/proc/self/exe`, else argv[0]).
    static func evaldBeside() throws -> String {
        var folders: [URL] = []
        if let me = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            folders.append(URL(fileURLWithPath: me).deletingLastPathComponent())
        }
        if let me = ProcessArguments.all.first, me.contains("/") {
            folders.append(URL(fileURLWithPath: me).deletingLastPathComponent())
        }
        let candidates = folders.map { $0.appendingPathComponent("evald").path }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure("selftest needs evald's network stack: no evald beside this evalctl (looked for \(candidates.joined(separator: ", "))); run the installed evalctl")
        }
        return found
    }
}
