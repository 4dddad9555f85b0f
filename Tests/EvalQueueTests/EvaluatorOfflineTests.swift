import EvalCore
@testable import EvalQueue
import EvalTesting
import Foundation
import Testing

/// Issue 25: a case open while its window had no evaluator online keeps that
/// on its row, through its default rating, so an operator can tell "nobody
/// rated" from "nobody could rate".
@Suite struct EvaluatorOfflineTests {
    typealias F = LedgerFixtures

    @Test func anOpenCaseKeepsTheFirstOfflineInstantThroughItsDefault() async throws {
        let fixture = try QueueFixture()
        let store = try fixture.open()
        defer { store.close() }
        let opening = F.opening("P-OFFLINE-1", at: "2026-03-02 10:00:00")
        #expect(try await store.openCase(opening, due: F.scheduler.due(openedAt: opening.openedAt)))
        #expect(try QueueReader(path: fixture.path).caseReport(of: "P-OFFLINE-1").evaluatorOfflineAt == nil)

        #expect(try await store.noteEvaluatorOffline(projectNo: "P-OFFLINE-1", at: F.at("2026-03-02 10:01:00")))
        try await store.noteEvaluatorOffline(projectNo: "P-OFFLINE-1", at: F.at("2026-03-02 10:05:00"))
        #expect(try QueueReader(path: fixture.path).caseReport(of: "P-OFFLINE-1").evaluatorOfflineAt == F.at("2026-03-02 10:01:00"),
                "the first instant is kept")

        _ = await store.applyDueDefaults(at: F.at("2026-03-10 00:00:00"))
        let report = try QueueReader(path: fixture.path).caseReport(of: "P-OFFLINE-1")
        #expect(report.state == .defaulted)
        #expect(report.evaluatorOfflineAt == F.at("2026-03-02 10:01:00"), "its default says nobody could rate")

        // A settled or unknown case is not marked.
        #expect(try await !store.noteEvaluatorOffline(projectNo: "P-OFFLINE-1", at: F.at("2026-03-10 09:00:00")))
        #expect(try await !store.noteEvaluatorOffline(projectNo: "P-NEVER-SEEN", at: F.at("2026-03-10 09:00:00")))
    }
}
