import EvalAgent
import EvalCore
import EvalQueue
import EvalTesting
import EvalUplink
import Foundation
import Testing

/// monitoring/: the alert rules pass `promtool test rules` (Debian package
/// `prometheus`, installed by scripts/bootstrap.sh), and every evald metric
/// the rules and the dashboard use is one evald exports.
@Suite("Prometheus rules and Grafana dashboard")
struct MonitoringTests {
    static let directory = BuiltProducts.packageRoot.appendingPathComponent("monitoring").path
    static let promtool = "/usr/bin/promtool"

    @Test func alertRulesPassTheirPromtoolUnitTests() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.promtool), "promtool missing: run scripts/bootstrap.sh (package prometheus)")
        let scratch = try TemporaryDirectory()  // the working directory of the checks, not monitoring/
        defer { scratch.remove() }
        let check = try await ChildProcess.run(URL(fileURLWithPath: Self.promtool), arguments: ["check", "rules", Self.directory + "/evald-alerts.yml"], directory: scratch.url.path)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let test = try await ChildProcess.run(URL(fileURLWithPath: Self.promtool), arguments: ["test", "rules", Self.directory + "/evald-alerts.test.yml"], directory: scratch.url.path)
        #expect(test.status == 0, "\(test.stdout)\(test.stderr)")
        #expect(test.stdout.contains("SUCCESS"))
    }

    @Test func rulesAndDashboardUseOnlyMetricsEvaldExports() async throws {
        // The daemon always gives the metrics its clock judgement (the clock gauges).
        let metrics = AgentMetrics()
        metrics.setClock { ClockReport(trusted: false, state: "unsynchronized", detail: "unsynchronized") }
        // ...and its queue's gauges (FleetMetricsTests scrapes them from a real daemon).
        metrics.setQueueGauges {
            .init(countsByState: ["pending": 1], oldestPendingAgeSeconds: 1, footprint: QueueFootprint(fileBytes: 4096, filesystemFreeBytes: 1 << 30),
                  minFreeBytes: 64 << 20)
        }
        let exported = await metrics.render()
        let names = Set(exported.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { String($0.split(separator: " ")[2]) })
        #expect(names.contains("evald_build_info") && names.contains("process_resident_memory_bytes"))

        let rules = try String(contentsOfFile: Self.directory + "/evald-alerts.yml", encoding: .utf8)
        let dashboardData = try Data(contentsOf: URL(fileURLWithPath: Self.directory + "/evald-dashboard.json"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: dashboardData) as? [String: Any])
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        #expect(!panels.isEmpty)
        let expressions = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        let used = (expressions + [rules]).flatMap { text in
            text.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") })
                .filter { $0.hasPrefix("evald_") || $0.hasPrefix("process_") }.map(String.init)
        }
        for name in Set(used) {
            #expect(names.contains(name), "\(name) is used in monitoring/ but evald does not export it")
        }
    }
}
