import EvalCore
import Foundation

/// A bad-review follow-up fixture: reviews and operator steps with their days,
/// each optionally followed by the state it must leave. One file per scenario
/// in `Fixtures/follow-ups/*.followup`:
///
///     calendar shipped                        # or monday-to-friday; applies to later reviews
///     review R1 2026-09-21 real-name          # id, day of the rating, real-name or not
///       => deadline=2026-10-19 stage=open
///     on 2026-09-22 R1 verify valid by=wangfang 属实      # verify valid|mistaken|malicious TEXT
///     on 2026-09-23 R1 extend 2026-11-06 by=wangfang 说明 # extend NEW-DEADLINE TEXT
///     on 2026-09-24 R1 rectify by=wangfang 措施
///     on 2026-09-25 R1 feedback by=wangfang 反馈
///     on 2026-09-25 R1 call-back satisfied by=lili 回访  # satisfied|notSatisfied|unreachable
///       => stage=closed callback=done identity=purge
///     on 2026-09-26 R1 rectify by=x again
///       => error alreadyClosed                # the step must be refused with this reason
///     at 2026-10-20 R1 overdue=no left=-1     # the state seen on a day
///     rates rectification=1/1 callback=1/1    # over every review so far; `none` when nothing is counted
///
/// Keys: stage, deadline, rectified (day or no), overdue (yes/no), left
/// (working days to the deadline, `none` when nothing is due), callback
/// (needed/retry/done/none), identity (needed/purge), counted (yes/no).
/// `=>` after a review or step checks the state on that line's day.
struct FollowUpFixture {
    enum Command {
        case review(id: String, review: BadReviewFollowUp.Review, calendar: WorkingDayCalendar)
        case step(id: String, FollowUpStep)
        case check(id: String, day: CivilDate?, expected: [String: String])
        case expectError(id: String, name: String)
        case rates(expected: [String: String])
    }

    struct Line {
        var number: Int
        var command: Command
    }

    struct ParseError: Error, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "line \(line): \(message)" }
    }

    var lines: [Line] = []

    init(text: String, shipped: WorkingDayCalendar) throws {
        var calendar = shipped
        var lastID: String?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let trimmed = rawLine.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let words = trimmed.split(separator: " ").map(String.init)
            func fail(_ message: String) -> ParseError { ParseError(line: number, message: message) }
            func day(_ text: String) throws -> CivilDate {
                guard let day = CivilDate(text) else { throw fail("expected yyyy-MM-dd, got \(text)") }
                return day
            }
            switch words[0] {
            case "calendar":
                switch words.dropFirst().first {
                case "shipped": calendar = shipped
                case "monday-to-friday": calendar = .mondayToFriday
                default: throw fail("calendar shipped|monday-to-friday")
                }
            case "review":
                guard words.count >= 3 else { throw fail("review ID yyyy-MM-dd [real-name]") }
                let review = BadReviewFollowUp.Review(ratedOn: try day(words[2]), realName: words.dropFirst(3).contains("real-name"))
                lines.append(Line(number: number, command: .review(id: words[1], review: review, calendar: calendar)))
                lastID = words[1]
            case "on":
                guard words.count >= 4 else { throw fail("on yyyy-MM-dd ID KIND …") }
                let stepDay = try day(words[1])
                var rest = Array(words.dropFirst(4))
                // by=WHO may stand anywhere after the kind; the free text is what follows it.
                guard let byIndex = rest.firstIndex(where: { $0.hasPrefix("by=") }) else { throw fail("a step needs by=WHO") }
                let by = String(rest[byIndex].dropFirst(3))
                let text = rest[(byIndex + 1)...].joined(separator: " ")
                rest = Array(rest[..<byIndex])
                let action: FollowUpStep.Action
                switch words[3] {
                case "verify":
                    guard let verdict = rest.first.flatMap(Verification.init(rawValue:)) else { throw fail("verify valid|mistaken|malicious") }
                    action = .verify(verdict, reason: text)
                case "rectify": action = .rectify(measures: text)
                case "extend":
                    guard let until = rest.first else { throw fail("extend NEW-DEADLINE") }
                    action = .extend(until: try day(until), explanation: text)
                case "feedback": action = .feedback(note: text)
                case "call-back":
                    guard let result = rest.first.flatMap(CallBackResult.init(rawValue:)) else { throw fail("call-back satisfied|notSatisfied|unreachable") }
                    action = .callBack(result, note: text)
                default: throw fail("unknown step \(words[3])")
                }
                lines.append(Line(number: number, command: .step(id: words[2], FollowUpStep(action, on: stepDay, by: by))))
                lastID = words[2]
            case "at":
                guard words.count >= 3 else { throw fail("at yyyy-MM-dd ID key=value…") }
                lines.append(Line(number: number, command: .check(id: words[2], day: try day(words[1]), expected: try SessionFixture.keyValues(words.dropFirst(3), line: number))))
            case "rates":
                lines.append(Line(number: number, command: .rates(expected: try SessionFixture.keyValues(words.dropFirst(), line: number))))
            case "=>":
                guard let lastID else { throw fail("expectation before any review or step") }
                if words.count == 3, words[1] == "error" {
                    lines.append(Line(number: number, command: .expectError(id: lastID, name: words[2])))
                } else {
                    lines.append(Line(number: number, command: .check(id: lastID, day: nil, expected: try SessionFixture.keyValues(words.dropFirst(), line: number))))
                }
            default:
                throw fail("unknown line \(words[0])")
            }
        }
    }
}
