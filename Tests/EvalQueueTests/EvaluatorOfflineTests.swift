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

    /// The rollup counts such a default apart from the others, live and in
    /// its recount, so the report shows it after the records are pruned.
    @Test func theRollupCountsDefaultsWhoseEvaluatorWasOffline() async throws {
        let fixture = try QueueFixture()
        let store = try fixture.open()
        defer { store.close() }
        for projectNo in ["P-OFF-A", "P-OFF-B", "P-ON-C"] {
            let opening = F.opening(projectNo, at: "2026-03-02 10:00:00")
            #expect(try await store.openCase(opening, due: F.scheduler.due(openedAt: opening.openedAt)))
        }
        try await store.noteEvaluatorOffline(projectNo: "P-OFF-A", at: F.at("2026-03-02 10:01:00"))
        try await store.noteEvaluatorOffline(projectNo: "P-OFF-B", at: F.at("2026-03-03 09:00:00"))
        let pass = await store.applyDueDefaults(at: F.at("2026-03-10 00:00:00"))
        #expect(pass.enqueued.count == 3)

        let days = (CivilDate(year: 2026, month: 3, day: 1), CivilDate(year: 2026, month: 3, day: 31))
        let live = try store.rollup(from: days.0, to: days.1).reduce(RollupRow.Counts()) { $0 + $1.counts }
        #expect(live.defaults == 3)
        #expect(live.defaultsEvaluatorOffline == 2)
        try await store.rebuildRollup(from: days.0, to: days.1)
        let recounted = try store.rollup(from: days.0, to: days.1).reduce(RollupRow.Counts()) { $0 + $1.counts }
        #expect(recounted == live)
    }
}
