// swift-tools-version: 6.1
import PackageDescription

// Modules follow the agent's real boundaries; which may use which is docs/DESIGN.md
// ("Which module may use which"), checked by TargetGraphTests:
//   EvalCore    pure domain: ratings, evaluations, sessions, calendar, scan rules, clock trust (no I/O, locks or tasks)
//   EvalConcurrency the Doorbell (a lock and a timer task) the forwarder and the services sleep on
//   EvalQueue   the crash-safe SQLite queue (thin wrapper over the system libsqlite3)
//   EvalSession the counter sessions' driver: their actions performed on the store
//   EvalDevices keypads and scanners: libusb, evdev, hidraw, profiles, hotplug, simulated keypad
//   EvalPlatform the platform protocol without a network: adapters (evald-json/1), signing, [platform] settings
//   EvalUplink  HTTP and the forwarder
//   EvalCounterAPI the local /v1 API for the windows' business systems (registry + HTTP)
//   EvalOperator configuration, status, control client, repairs and reports (what evalctl links)
//   EvalAgent   the services the daemon runs
//   EvalTesting helpers shared by tests and benchmarks (temp dirs, child processes, simulator)
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "evald",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "evald", targets: ["evald"]),
        .executable(name: "evalctl", targets: ["evalctl"]),
        .executable(name: "platform-sim", targets: ["platform-sim"]),
        .executable(name: "evald-bench", targets: ["evald-bench"]),
        .executable(name: "evald-device-probe", targets: ["evald-device-probe"]),
        .executable(name: "evald-fuzz-decoders", targets: ["evald-fuzz-decoders"]),
        // Test support: preloaded beside libfaketime, the kernel vouches for a faked clock.
        .library(name: "evald-test-synchronized-clock", type: .dynamic, targets: ["CSynchronizedClock"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.29.0"),
        // NIOHTTPTypes: Hummingbird's HTTP parts, which the counter API's connection guard names.
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.20.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.25.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibUSB", pkgConfig: "libusb-1.0", providers: [.apt(["libusb-1.0-0-dev"])]),
        .systemLibrary(name: "CLibUdev", pkgConfig: "libudev", providers: [.apt(["libudev-dev"])]),
        // QR images of signed staff, logout and case codes (evalctl codes --png).
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        // SM2/SM3/SM4 and HMAC-SM3 for province adapter definitions (system OpenSSL 3, no vendored crypto).
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // evalctl report --xlsx: the 通报 as a workbook (issue 28).
        .systemLibrary(name: "CXlsxWriter", pkgConfig: "xlsxwriter", providers: [.apt(["libxlsxwriter-dev"])]),
        // Keeps argc/argv from glibc's constructor call (libfaketime, no /proc: see its .c file).
        .target(name: "CProcessArguments"),
        // timerfd with TFD_TIMER_CANCEL_ON_SET: wall-clock deadlines re-arm when the clock is set.
        .target(name: "CClockSet"),
        .target(name: "CSynchronizedClock"),

        .target(name: "EvalCore", swiftSettings: swiftSettings),
        // The doorbell the forwarder and the daemon's services sleep on: a lock
        // and a timer task, so not in EvalCore; shared, so not in either user.
        .target(name: "EvalConcurrency", swiftSettings: swiftSettings),
        .target(
            name: "EvalQueue",
            dependencies: [
                "EvalCore", "CSQLite",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Session orchestration: turns a counter session's actions into store
        // operations. Not in the store (which knows nothing of sessions), not in
        // EvalAgent (the crash probe, the benchmarks and the store tests run it too).
        .target(name: "EvalSession", dependencies: ["EvalCore", "EvalQueue"], swiftSettings: swiftSettings),
        .target(
            name: "EvalDevices",
            dependencies: [
                "EvalCore", "CLibUSB", "CLibUdev",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // What the platform protocol is without a network: adapters (evald-json/1),
        // signing, the [platform] configuration, the transport protocol. No NIO:
        // evalctl and EvalOperator use it for the self-test's requests.
        .target(
            name: "EvalPlatform",
            dependencies: [
                "EvalCore", "COpenSSL",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "EvalUplink",
            dependencies: [
                "EvalCore", "EvalConcurrency", "EvalPlatform",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // The local counter API for the windows' business systems (docs/api.md):
        // the pure service registry and the HTTP layer, fed by the daemon's sessions.
        .target(
            name: "EvalCounterAPI",
            dependencies: [
                "EvalCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // What an operator's tools need and the daemon shares: configuration,
        // status, the control client, the repairs, reports and self-test.
        // No service lifecycle and no server: evalctl links this, not EvalAgent.
        .target(
            name: "EvalOperator",
            dependencies: [
                "EvalCore", "EvalQueue", "EvalDevices", "EvalPlatform", "CProcessArguments", "CQRencode", "CXlsxWriter",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                // HMAC of signed counter codes (EvalCore stays free of crypto: it is handed a CodeAuthenticator).
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "EvalAgent",
            dependencies: [
                "EvalOperator", "EvalCore", "EvalConcurrency", "EvalQueue", "EvalSession", "EvalDevices", "EvalPlatform", "EvalUplink", "EvalCounterAPI", "CProcessArguments", "CClockSet",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // A dependency-free HTTP/1.1 + SSE client for the counter API (evalctl, tests, bench).
        .target(name: "EvalAPIClient", swiftSettings: swiftSettings),
        .target(
            name: "EvalTesting",
            dependencies: ["EvalCore", "EvalQueue", "EvalSession"],
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "evald",
            dependencies: [
                // EvalUplink: the HTTP transport evalctl's selftest runs in this binary.
                "EvalAgent", "EvalctlCommands", "EvalPlatform", "EvalUplink",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings,
            // Full RELRO: every symbol bound at start, then the GOT read-only
            // (lintian's hardening-no-bindnow; DebPackageTests checks it).
            linkerSettings: [.unsafeFlags(["-Xlinker", "-z", "-Xlinker", "relro", "-Xlinker", "-z", "-Xlinker", "now"])]
        ),
        .target(
            name: "EvalctlCommands",
            dependencies: [
                "EvalOperator", "EvalCore", "EvalQueue", "EvalDevices", "EvalPlatform", "EvalAPIClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // evalctl's own executable, for development and the tests; the package
        // ships evald alone, with /usr/bin/evalctl a link to it (one runtime).
        .executableTarget(
            name: "evalctl",
            dependencies: ["EvalctlCommands", "EvalOperator"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "platform-sim",
            dependencies: [
                // CProcessArguments: its constructor gives the runtime argv, which
                // LD_PRELOAD=libfaketime would otherwise lose (the calendar tests).
                "EvalCore", "EvalPlatform", "EvalUplink", "CProcessArguments",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "evald-bench",
            dependencies: [
                "EvalCore", "EvalQueue", "EvalSession", "EvalTesting", "CSQLite", "EvalAPIClient",
                "EvalPlatform", "EvalUplink",  // UplinkBenchmark.swift (uplink engineer)
                "CCrashVFS",  // counts fdatasync per lone evaluation (daemon-path)
                "EvalOperator",  // ReportBench.swift: a year's report for 50 windows (issue 28)
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "evald-device-probe",
            dependencies: [
                "EvalCore", "EvalDevices",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "evald-fuzz-decoders", dependencies: ["EvalDevices"], swiftSettings: swiftSettings),
        // Test-only: libumockdev testbed for the hotplug tests (libumockdev-dev).
        .systemLibrary(name: "CUmockdev", pkgConfig: "umockdev-1.0", providers: [.apt(["libumockdev-dev"])]),
        .executableTarget(
            name: "evald-hotplug-check",
            dependencies: ["EvalCore", "EvalDevices", "CUmockdev", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),

        // Test-only: a logging SQLite VFS for the power-cut simulation.
        .target(name: "CCrashVFS", dependencies: ["CSQLite"]),
        // Test helper: a process the queue tests SIGKILL mid-enqueue, and the power-cut simulation (not shipped).
        .executableTarget(
            name: "evalq-crash-probe",
            dependencies: ["EvalCore", "EvalQueue", "EvalSession", "EvalTesting", "CCrashVFS", "CSQLite", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),

        .testTarget(name: "EvalCoreTests", dependencies: ["EvalCore", "EvalQueue", "EvalTesting"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "EvalQueueTests", dependencies: ["EvalQueue", "EvalSession", "EvalTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "EvalDevicesTests", dependencies: ["EvalDevices", "EvalTesting"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "EvalUplinkTests", dependencies: ["EvalUplink", "EvalPlatform", "EvalQueue", "EvalTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "EvalCounterAPITests", dependencies: ["EvalCounterAPI", "EvalCore", "EvalTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "EvalAgentTests", dependencies: ["EvalAgent", "EvalConcurrency", "EvalOperator", "EvalCounterAPI", "EvalTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "EndToEndTests", dependencies: ["EvalCore", "EvalQueue", "EvalAgent", "EvalOperator", "EvalTesting", "EvalAPIClient"], swiftSettings: swiftSettings),
    ],
    swiftLanguageModes: [.v6]
)
