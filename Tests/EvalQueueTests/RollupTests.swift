import EvalCore
import EvalTesting
import Foundation
import Testing
@testable import EvalQueue

/// Issue 28: the rollup counts what the store records, in the transaction of
/// each event, and keeps the counts after the records are pruned.
@Suite struct RollupTests {
    @Test func rollupEqualsTheRecountOfAGeneratedMonthWithPruningInBetween() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open(fixture.configuration(deliveredRetentionDays: 3, personalDataRetention: 86_400 * 365))
        var month = GeneratedMonth(queue: queue, clock: fixture.clock, prune: true)
        try await month.run()
        let deleted = month.pruned
        #expect(deleted > 50, "pruning ran in between and removed records")
        let rows = try queue.rollup(from: CivilDate(year: 2026, month: 10, day: 1), to: CivilDate(year: 2027, month: 1, day: 31))
        let stored = RollupComparison.nonZero(rows)
        #expect(stored.count == month.expected.filter { $0.value != RollupRow.Counts() }.count)
        for (key, counts) in month.expected where counts != RollupRow.Counts() {
            #expect(stored[key] == counts, "\(key)")
        }
        for key in stored.keys where month.expected[key] == nil { Issue.record("unexpected rollup row \(key): \(stored[key]!)") }
        // Some rows of every kind of event, so a silent zero fails the test.
        let total = stored.values.reduce(RollupRow.Counts(), +)
        #expect(total.served > 100 && total.defaults > 10 && total.filtered > 10 && total.bad > 10)
        #expect(total.rectified > 0 && total.calledBack > 0 && total.mistaken > 0 && total.malicious > 0 && total.overdue > 0)
        queue.close()
    }

    @Test func rebuildFromRecordsAndLedgerEqualsTheLiveCounts() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open(fixture.configuration(deliveredRetentionDays: 3650, personalDataRetention: 86_400 * 365))
        var month = GeneratedMonth(queue: queue, clock: fixture.clock, prune: false)
        try await month.run()
        let from = CivilDate(year: 2026, month: 10, day: 1), to = CivilDate(year: 2027, month: 1, day: 31)
        let live = RollupComparison.nonZero(try queue.rollup(from: from, to: to))
        try await queue.rebuildRollup(from: from, to: to)
        let rebuilt = RollupComparison.nonZero(try queue.rollup(from: from, to: to))
        #expect(live == rebuilt)
        #expect(live.values.reduce(RollupRow.Counts(), +).served > 100)
        // The rollup holds no evaluator identity.
        queue.close()
        let db = try Connection(path: fixture.path, mode: .readOnly)
        let dump = try db.prepare("SELECT * FROM rollup_daily").rows { row in (0..<27).map { row.column(Int32($0), as: String.self) ?? "" }.joined(separator: "|") }
        #expect(!dump.joined().contains("李小红") && !dump.joined().contains("533103199001011234"))
    }

    @Test func theMigrationCountsWhatAnOlderFileAlreadyHolds() async throws {
        let fixture = try QueueFixture()
        let queue = try fixture.open()
        let opening = CaseOpening(ticket: CaseTicket(projectNo: "P-OLD", taskCode: "T9"), window: GeneratedMonth.window("W09", dept: "D9"),
                                  staff: [StaffMember(loginName: "wang", name: "王")], openedAt: LedgerFixtures.at("2026-11-02 09:00:00"))
        try await queue.openCase(opening, due: LedgerFixtures.scheduler.due(openedAt: opening.openedAt))
        queue.close()
        // As if written before rollup-001: no rollup, no migration record; opening the file migrates and recounts.
        let db = try Connection(path: fixture.path)
        try db.execute("DELETE FROM rollup_daily; DELETE FROM schema_migrations WHERE name = 'rollup-001-daily-counts'; DROP TABLE rollup_daily; DROP TABLE rollup_bad_review_keys;")
        let triggers = try db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'rollup_%'").rows { $0.column(0, as: String.self) ?? "" }
        for trigger in triggers {
            try db.execute("DROP TRIGGER \(trigger)")
        }
        let again = try fixture.open()
        let rows = try again.rollup(from: CivilDate(year: 2026, month: 11, day: 1), to: CivilDate(year: 2026, month: 11, day: 30))
        #expect(rows.map(\.counts.served) == [1])
        #expect(rows.first?.key == RollupRow.Key(day: CivilDate(year: 2026, month: 11, day: 2), windowCode: "W09", staffLogin: "wang",
                                                deptCode: "D9", taskCode: "T9", pf: 5))
        again.close()
    }
}

enum RollupComparison {
    static func nonZero(_ rows: [RollupRow]) -> [RollupRow.Key: RollupRow.Counts] {
        var out: [RollupRow.Key: RollupRow.Counts] = [:]
        for row in rows where row.counts != RollupRow.Counts() { out[row.key, default: RollupRow.Counts()] += row.counts }
        return out
    }
}

/// November 2026 at three windows of two departments: staff changing through
/// the day, cases scanned and rated (some opened and rated in one batch), cases
/// left to their default, anonymous ratings, filtered presses, bad reviews
/// through every follow-up path, deadlines passed; optionally delivering and
/// pruning every few days. `expected` is the tally of what it did.
struct GeneratedMonth {
    let queue: EvaluationQueue
    let clock: ManualWallClock
    let prune: Bool
    var expected: [RollupRow.Key: RollupRow.Counts] = [:]
    var pruned = 0
    var random = SplitMix64(seed: 28)
    var badReviews: [(Evaluation, realName: Bool)] = []
    let policy = BadReviewPolicy(calendar: .mondayToFriday)
    let scheduler = DefaultRatingScheduler(calendar: .mondayToFriday)

    init(queue: EvaluationQueue, clock: ManualWallClock, prune: Bool) {
        self.queue = queue
        self.clock = clock
        self.prune = prune
    }

    static func window(_ code: String, dept: String) -> WindowConfiguration {
        WindowConfiguration(areaCode: "533103", deptCode: dept, deptName: "部门\(dept)", hallCode: "H01", windowCode: code,
                            defaultTaskCode: "T0", defaultTaskName: "综合")
    }

    static let windows = [window("W01", dept: "D1"), window("W02", dept: "D1"), window("W03", dept: "D2")]
    static let staff = [StaffMember(loginName: "zhang", name: "张伟"), StaffMember(loginName: "li", name: "李娜"), StaffMember(loginName: "wu", name: "吴强")]

    static func day(_ date: Date) -> CivilDate { ShanghaiTime.civilDate(date) }

    func key(_ day: CivilDate, _ window: WindowConfiguration, staff: StaffMember?, task: String?) -> RollupRow.Key {
        RollupRow.Key(day: day, windowCode: window.windowCode, staffLogin: staff?.loginName ?? "", deptCode: window.deptCode ?? "",
                      taskCode: task ?? "", pf: window.pf.rawValue)
    }

    mutating func count(_ key: RollupRow.Key, _ change: (inout RollupRow.Counts) -> Void) {
        change(&expected[key, default: RollupRow.Counts()])
    }

    mutating func rating() -> Rating { Rating(rawValue: Int(random.next() % 5) + 1)! }

    mutating func run() async throws {
        for dayOfMonth in 1...30 {
            let day = CivilDate(year: 2026, month: 11, day: dayOfMonth)
            guard WorkingDayCalendar.mondayToFriday.isWorkingDay(day) else { continue }
            for (w, window) in Self.windows.enumerated() {
                for slot in 0..<4 {
                    let staff = Self.staff[(dayOfMonth + w + slot) % 3]  // staff change through the day
                    try await serve(day: day, window: window, staff: staff, slot: slot, index: dayOfMonth * 10 + w)
                }
                try await anonymous(day: day, window: window, index: dayOfMonth * 10 + w)
            }
            try await applyDefaults(at: ShanghaiTime.startOfDay(day.adding(days: 1)))
            if prune && dayOfMonth % 3 == 0 { try await deliverAndPrune(at: ShanghaiTime.startOfDay(day.adding(days: 1))) }
        }
        try await followUps()
        try await applyDefaults(at: ShanghaiTime.startOfDay(CivilDate(year: 2026, month: 12, day: 15)))
        if prune { try await deliverAndPrune(at: ShanghaiTime.startOfDay(CivilDate(year: 2026, month: 12, day: 20))) }
    }

    func at(_ day: CivilDate, _ hour: Int, _ minute: Int) -> Date {
        ShanghaiTime.startOfDay(day).addingTimeInterval(Double(hour * 3600 + minute * 60))
    }

    mutating func serve(day: CivilDate, window: WindowConfiguration, staff: StaffMember, slot: Int, index: Int) async throws {
        let projectNo = "P\(day)-\(window.windowCode)-\(slot)"
        let ticket = CaseTicket(projectNo: projectNo, taskCode: slot == 3 ? nil : "T\(slot)")
        let opening = CaseOpening(ticket: ticket, window: window, staff: [staff], deviceId: "kbd", openedAt: at(day, 9 + slot, 0))
        let due = scheduler.due(openedAt: opening.openedAt)
        let task = window.task(of: ticket).code
        count(key(day, window, staff: staff, task: task)) { $0.served += 1 }
        if slot == 2 {
            // Left unrated: its default comes after 5 working days.
            try await queue.openCase(opening, due: due)
            count(key(Self.day(due.dueAt), window, staff: staff, task: task)) { $0.defaults += 1 }
            return
        }
        let rating = rating()
        let realName = index % 2 == 0
        var evaluation = Evaluation(satisfaction: rating, assessedAt: at(day, 9 + slot, 5), areaCode: "533103", deptCode: window.deptCode,
                                    deptName: window.deptName, hallCode: window.hallCode, windowCode: window.windowCode, deviceId: "kbd",
                                    projectNo: projectNo, taskCode: task, evaluatedPersons: [staff])
        if realName { evaluation.evaluator = Evaluator(userName: PersonalData("李小红"), certKey: PersonalData("533103199001011234")) }
        let ledger = try CaseLedgerUpdate(evaluation, badReviewPolicy: policy)
        if slot == 1 {
            // Opened and rated in one batch (the opening may be absorbed by the rating: ledger-008).
            queue.submitOpenCase(opening, due: due) { _ in }
            let result: EnqueueResult = try await withCheckedThrowingContinuation { continuation in
                queue.submit(evaluation, ledger: ledger) { continuation.resume(with: $0) }
            }
            #expect(result == .enqueued)
        } else {
            try await queue.openCase(opening, due: due)
            try await queue.enqueue(evaluation, ledger: ledger)
        }
        count(key(day, window, staff: staff, task: task)) { $0.active[5 - rating.rawValue] += 1 }
        if evaluation.isBadReview { recordBad(evaluation, window: window, task: task) }
    }

    mutating func recordBad(_ evaluation: Evaluation, window: WindowConfiguration, task: String?) {
        let realName = evaluation.evaluator != nil
        count(key(Self.day(evaluation.assessedAt), window, staff: evaluation.evaluatedPersons.first, task: task)) {
            $0.bad += 1
            if realName { $0.callBacksNeeded += 1 }
        }
        badReviews.append((evaluation, realName))
    }

    mutating func anonymous(day: CivilDate, window: WindowConfiguration, index: Int) async throws {
        let rating = rating()
        let staff = Self.staff[index % 3]
        let evaluation = Evaluation(satisfaction: rating, assessedAt: at(day, 14, 0), areaCode: "533103", deptCode: window.deptCode,
                                    deptName: window.deptName, hallCode: window.hallCode, windowCode: window.windowCode, deviceId: "kbd",
                                    taskCode: window.defaultTaskCode, evaluatedPersons: [staff])
        try await queue.enqueue(evaluation, ledger: try CaseLedgerUpdate(evaluation, badReviewPolicy: policy))
        count(key(day, window, staff: staff, task: window.defaultTaskCode)) {
            $0.active[5 - rating.rawValue] += 1
            $0.served += 1  // a rating of no case is a service nobody scanned
        }
        if evaluation.isBadReview { recordBad(evaluation, window: window, task: window.defaultTaskCode) }
        // A bounce after it, kept for audit.
        let press = FilteredPress(rating: rating, deviceId: "kbd", windowCode: window.windowCode, pressedAt: at(day, 14, 0).addingTimeInterval(0.05), reason: .bounce)
        let _: Void = try await withCheckedThrowingContinuation { continuation in queue.submitFiltered(press) { continuation.resume(with: $0) } }
        count(RollupRow.Key(day: day, windowCode: window.windowCode)) { $0.filtered += 1 }
    }

    mutating func applyDefaults(at now: Date) async throws {
        clock.set(now)
        let pass = await queue.applyDueDefaults(at: now)
        #expect(pass.refused.isEmpty && pass.readError == nil)
    }

    mutating func deliverAndPrune(at now: Date) async throws {
        clock.set(now)
        while true {
            let claimed = try await queue.claim(limit: 500, now: now)
            if claimed.isEmpty { break }
            try await queue.settle(claimed.map { .delivered($0.evaluation.evaluationId) }, now: now)
        }
        let later = now.addingTimeInterval(4 * 86_400)
        pruned += try await queue.prune(now: later).deleted
    }

    /// Every path of rule 4, in turn: mistaken, malicious, rectified and called
    /// back, left overdue, extended then rectified with a missed call-back first.
    mutating func followUps() async throws {
        for (index, (evaluation, realName)) in badReviews.enumerated() {
            let id = evaluation.evaluationId
            let day = Self.day(evaluation.assessedAt)
            let window = Self.windows.first { $0.windowCode == evaluation.windowCode }!
            let k = key(day, window, staff: evaluation.evaluatedPersons.first, task: evaluation.taskCode)
            let queue = self.queue, clock = self.clock
            func step(_ action: FollowUpStep.Action) async throws {
                _ = try await queue.appendFollowUpStep(FollowUpStep(action, on: day, by: "科员"), to: id, recordedAt: clock.now(),
                                                       by: AuditActor(uid: 1000, name: "tester", via: .evalctl)) { _ in "test" }
            }
            switch index % 5 {
            case 0:
                try await step(.verify(.mistaken, reason: "按错"))
                count(k) { $0.mistaken += 1; if realName { $0.callBacksNeeded -= 1 } }
            case 1:
                try await step(.verify(.malicious, reason: "恶意"))
                count(k) { $0.malicious += 1; if realName { $0.callBacksNeeded -= 1 } }
            case 2:
                try await step(.verify(.valid, reason: "属实"))
                try await step(.rectify(measures: "培训"))
                try await step(.feedback(note: "已反馈"))
                count(k) { $0.rectified += 1 }
                if realName {
                    try await step(.callBack(.satisfied, note: "满意"))
                    count(k) { $0.calledBack += 1 }
                }
            case 3:
                try await step(.verify(.valid, reason: "属实"))
                let deadline = policy.rectificationDeadline(for: evaluation)
                let passed = DeadlineAlert(evaluationId: id, kind: .passed, deadline: deadline, workingDaysLeft: -1)
                try await queue.recordDeadlineAlert(passed, at: clock.now())
                try await queue.recordDeadlineAlert(passed, at: clock.now())  // a restart giving it again: ignored
                count(k) { $0.overdue += 1 }
            default:
                try await step(.verify(.valid, reason: "属实"))
                let deadline = policy.rectificationDeadline(for: evaluation)
                try await queue.recordDeadlineAlert(DeadlineAlert(evaluationId: id, kind: .passed, deadline: deadline, workingDaysLeft: -1), at: clock.now())
                try await step(.extend(until: deadline.adding(days: 10), explanation: "需协调"))
                // The extension's deadline passes too: still one case gone overdue.
                try await queue.recordDeadlineAlert(DeadlineAlert(evaluationId: id, kind: .passed, deadline: deadline.adding(days: 10), workingDaysLeft: -1), at: clock.now())
                try await step(.rectify(measures: "整改"))
                count(k) { $0.overdue += 1; $0.rectified += 1 }
                if realName {
                    try await step(.callBack(.unreachable, note: "无人接"))
                    try await step(.callBack(.notSatisfied, note: "不满意"))
                    count(k) { $0.calledBack += 1 }
                }
            }
        }
    }
}
