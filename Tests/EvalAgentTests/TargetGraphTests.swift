import EvalTesting
import Foundation
import Testing

/// The dependency rule of docs/DESIGN.md ("Which module may use which"),
/// checked on the target graph `swift package dump-package` reads from
/// Package.swift: a forbidden edge fails with the path that reaches it.
@Suite struct TargetGraphTests {
    /// Packages whose products are the network and server stack.
    static let serverPackages: Set<String> = [
        "swift-nio", "swift-nio-ssl", "swift-nio-extras", "async-http-client", "hummingbird", "swift-service-lifecycle",
    ]

    /// A node of the graph: a target of this package, or a product of another.
    enum Node: Hashable, CustomStringConvertible {
        case target(String)
        case product(String, package: String)

        var description: String {
            switch self {
            case .target(let name): name
            case .product(let name, let package): "\(name) (\(package))"
            }
        }
    }

    struct Graph {
        var targets: [String: [Node]] = [:]
        var products: [String: [String]] = [:]

        /// Every node `start` reaches, each with the path from `start`.
        func reachable(from start: Node) -> [Node: [Node]] {
            var paths: [Node: [Node]] = [start: [start]]
            var queue = [start]
            while !queue.isEmpty {
                let node = queue.removeFirst()
                guard case .target(let name) = node else { continue }
                for next in targets[name] ?? [] where paths[next] == nil {
                    paths[next] = paths[node]! + [next]
                    queue.append(next)
                }
            }
            return paths
        }

        /// The nodes of executable product `name`: those of its targets.
        func reachable(fromProduct name: String) -> [Node: [Node]] {
            var all: [Node: [Node]] = [:]
            for target in products[name] ?? [] {
                all.merge(reachable(from: .target(target))) { first, _ in first }
            }
            return all
        }
    }

    /// Dumped once for all the tests here (each dump compiles the manifest).
    static let graph = Task { try await loadGraph() }

    /// Package.swift's graph, dumped from a copy in a temporary directory (no
    /// lock on this package's `.build`, which `swift test` holds).
    static func loadGraph() async throws -> Graph {
        let directory = try TemporaryDirectory(prefix: "target-graph")
        defer { directory.remove() }
        try Data(contentsOf: BuiltProducts.packageRoot.appendingPathComponent("Package.swift"))
            .write(to: directory.url.appendingPathComponent("Package.swift"))
        let dump = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/env"), arguments: ["swift", "package", "dump-package"],
                                              directory: directory.url.path, timeout: .seconds(300))
        try #require(dump.status == 0, "swift package dump-package failed: \(dump.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        var graph = Graph()
        let targets = json["targets"] as? [[String: Any]] ?? []
        let names = Set(targets.compactMap { $0["name"] as? String })
        for target in targets {
            guard let name = target["name"] as? String else { continue }
            graph.targets[name] = (target["dependencies"] as? [[String: Any]] ?? []).compactMap { dependency in
                if let byName = dependency["byName"] as? [Any], let dependency = byName.first as? String {
                    return names.contains(dependency) ? .target(dependency) : .product(dependency, package: dependency)
                }
                if let target = dependency["target"] as? [Any], let dependency = target.first as? String { return .target(dependency) }
                if let product = dependency["product"] as? [Any], let dependency = product.first as? String {
                    return .product(dependency, package: product.dropFirst().first as? String ?? dependency)
                }
                return nil
            }
        }
        for product in json["products"] as? [[String: Any]] ?? [] {
            if let name = product["name"] as? String { graph.products[name] = product["targets"] as? [String] ?? [] }
        }
        return graph
    }

    /// The reachable nodes that `forbidden` names, each as "a → b → c".
    static func violations(_ reachable: [Node: [Node]], _ forbidden: (Node) -> Bool) -> [String] {
        reachable.filter { forbidden($0.key) }.map { $0.value.map(\.description).joined(separator: " → ") }.sorted()
    }

    static func isServerStack(_ node: Node) -> Bool {
        if case .product(_, let package) = node { return serverPackages.contains(package) }
        return false
    }

    /// The platform protocol without a network: the core and swift-crypto only.
    @Test func evalPlatformHasNoNetworkStack() async throws {
        let graph = try await Self.graph.value
        #expect(graph.targets["EvalPlatform"] != nil, "no EvalPlatform target in the dump")
        let allowed: Set<Node> = [.target("EvalPlatform"), .target("EvalCore"), .target("COpenSSL"), .product("Crypto", package: "swift-crypto")]
        let found = Self.violations(graph.reachable(from: .target("EvalPlatform"))) { !allowed.contains($0) }
        #expect(found.isEmpty, "EvalPlatform may use EvalCore, COpenSSL and Crypto only:\n\(found.joined(separator: "\n"))")
    }

    @Test func evalCoreDependsOnNothing() async throws {
        let graph = try await Self.graph.value
        #expect(graph.targets["EvalCore"] != nil, "no EvalCore target in the dump")
        let found = Self.violations(graph.reachable(from: .target("EvalCore"))) { $0 != .target("EvalCore") }
        #expect(found.isEmpty, "EvalCore must depend on nothing: \(found)")
    }

    /// The operator's tools (evalctl, and EvalOperator the daemon shares) carry
    /// no uplink, no server and no NIO.
    @Test(arguments: ["EvalOperator", "EvalctlCommands"])
    func operatorModulesStayOffTheNetworkStack(_ module: String) async throws {
        let graph = try await Self.graph.value
        #expect(graph.targets[module] != nil, "no \(module) target in the dump")
        let found = Self.violations(graph.reachable(from: .target(module))) { node in
            Self.isServerStack(node) || [.target("EvalUplink"), .target("EvalAgent"), .target("EvalCounterAPI")].contains(node)
        }
        #expect(found.isEmpty, "forbidden for \(module):\n\(found.joined(separator: "\n"))")
    }

    @Test func theEvalctlExecutableStaysOffTheNetworkStack() async throws {
        let graph = try await Self.graph.value
        #expect(graph.products["evalctl"] != nil, "no evalctl product in the dump")
        let found = Self.violations(graph.reachable(fromProduct: "evalctl")) { node in
            Self.isServerStack(node) || [.target("EvalUplink"), .target("EvalAgent"), .target("EvalCounterAPI")].contains(node)
        }
        #expect(found.isEmpty, "forbidden for the evalctl executable:\n\(found.joined(separator: "\n"))")
    }

    /// The lower layers never reach up: the queue, the devices and the
    /// uplink know neither the operator's modules nor the daemon.
    @Test(arguments: ["EvalConcurrency", "EvalQueue", "EvalSession", "EvalDevices", "EvalPlatform", "EvalUplink", "EvalCounterAPI"])
    func lowerLayersDoNotReachUp(_ module: String) async throws {
        let graph = try await Self.graph.value
        let upper: Set<Node> = [.target("EvalOperator"), .target("EvalctlCommands"), .target("EvalAgent")]
        let found = Self.violations(graph.reachable(from: .target(module))) { upper.contains($0) }
        #expect(found.isEmpty, "\(module) reaches up:\n\(found.joined(separator: "\n"))")
    }

    /// EvalCore's sources read no files, clocks or processes, and hold no
    /// locks or tasks: those are the I/O modules' (DESIGN.md).
    @Test func evalCoreSourcesDoNoIO() throws {
        let root = BuiltProducts.packageRoot.appendingPathComponent("Sources/EvalCore")
        let forbidden = [
            "import Glibc", "import Darwin", "import Dispatch", "import Synchronization", "FileManager", "contentsOf:", "FileHandle",
            "clock_gettime", "NSLock", "NSCondition", "Mutex<", "Task {", "Task<", "Task.detached", "DispatchQueue", "Thread(",
            "ProcessInfo", "Process(",
        ]
        var found: [String] = []
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        #expect(files.contains { $0.pathExtension == "swift" }, "no sources under \(root.path)")
        for file in files where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                guard !code.hasPrefix("//") else { continue }
                for word in forbidden where code.contains(word) {
                    found.append("\(file.path.replacingOccurrences(of: BuiltProducts.packageRoot.path + "/", with: "")):\(number + 1): \(word)")
                }
            }
        }
        #expect(found.isEmpty, "I/O, locks or tasks in EvalCore:\n\(found.joined(separator: "\n"))")
    }
}
