import Foundation

/// Finds executables built by SwiftPM in the same build as the running test
/// bundle (`.build/<triple>/debug/<name>`), so tests can run the real
/// `evald`, `evalctl`, `platform-sim` or a probe as a child process.
///
/// Build them first: `swift build --build-tests` builds every product.
public enum BuiltProducts {
    public struct NotFound: Error, CustomStringConvertible {
        public let name: String
        public let searched: [String]
        public var description: String {
            "built executable '\(name)' not found (run `swift build --build-tests` first); looked in: " + searched.joined(separator: ", ")
        }
    }

    /// The directory of the build products: `$EVALD_BUILT_PRODUCTS` if set,
    /// else the directory holding the running test bundle.
    public static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["EVALD_BUILT_PRODUCTS"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        #if os(macOS)
        if let bundle = Bundle.allBundles.first(where: { $0.bundlePath.hasSuffix(".xctest") }) {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        #endif
        // On Linux the test bundle is itself an executable in the products directory.
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return executable.deletingLastPathComponent()
    }

    /// The path of the executable product `name`; throws `NotFound` with the
    /// places it looked when it has not been built.
    public static func executable(named name: String) throws -> URL {
        var candidates = [directory.appendingPathComponent(name)]
        // Fallback: the package's `.build/debug` from the working directory up.
        var folder = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        for _ in 0..<6 {
            candidates.append(folder.appendingPathComponent(".build/debug/\(name)"))
            folder = folder.deletingLastPathComponent()
        }
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        throw NotFound(name: name, searched: candidates.map(\.path))
    }

    /// The package's root folder (where Package.swift is), for tests that run
    /// its scripts (packaging/build-deb.sh) or read its files.
    public static var packageRoot: URL {
        // Sources/EvalTesting/BuiltProducts.swift → three levels up.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}
