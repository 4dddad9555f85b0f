import EvalTesting
import Foundation

/// Paths of fixtures and of executables built next to this test bundle.
enum TestPaths {
    static var fixtures: URL { Bundle.module.resourceURL!.appendingPathComponent("Fixtures") }

    static func fixture(_ relative: String) -> String { fixtures.appendingPathComponent(relative).path }

    /// A built executable (EvalTesting's lookup), e.g. `evald-device-probe`.
    static func product(_ name: String) -> String {
        (try? BuiltProducts.executable(named: name).path) ?? BuiltProducts.directory.appendingPathComponent(name).path
    }

    static var umockdevRun: String? {
        ["/usr/bin/umockdev-run", "/usr/local/bin/umockdev-run"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
