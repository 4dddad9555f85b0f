import EvalAgent
import EvalCore
import EvalOperator
import Foundation
import Testing

@Suite("evalctl reports: statistics, export, tables")
struct OperatorReportsTests {
    static func evaluation(_ rating: Rating, window: String = "W01", staff: String? = "zhangsan", at text: String = "2026-11-28 10:00:00",
                           defaulted: Bool = false, evaluator: Evaluator? = nil) -> Evaluation {
        Evaluation(
            satisfaction: rating, evaluationType: defaulted ? .defaulted : .active, assessedAt: ShanghaiTime.parse(text)!,
            areaCode: "533103", hallCode: "H1", windowCode: window, deviceId: "kp",
            evaluatedPersons: staff.map { [StaffMember(loginName: $0, name: "张三")] } ?? [], evaluator: evaluator
        )
    }

    @Test func countsAndRatesPerWindow() {
        let evaluations = [
            Self.evaluation(.verySatisfied), Self.evaluation(.satisfied), Self.evaluation(.basicallySatisfied, defaulted: true),
            Self.evaluation(.veryDissatisfied), Self.evaluation(.dissatisfied, window: "W02"),
        ]
        let stats = EvaluationStatistics(evaluations, by: .window)
        #expect(stats.rows.map(\.key) == ["H1/W01", "H1/W02"])
        let w01 = stats.rows[0]
        #expect(w01.counts == [1, 1, 1, 0, 1])
        #expect(w01.total == 4)
        #expect(w01.defaulted == 1)
        #expect(w01.satisfactionRate == 0.75)
        #expect(w01.badReviewRate == 0.25)
        #expect(stats.overall.total == 5)
        #expect(stats.overall.badReviewRate == 0.4)
        let table = stats.table()
        #expect(table.header.starts(with: ["窗口 window", "5", "4", "3", "2", "1"]), "bilingual, counts by rating number")
        #expect(table.header.contains("差评率 bad"))
        #expect(EvaluationStatistics.legend.contains("1 非常不满意"))
        #expect(table.rows.last?.last == "40.0%")
    }

    @Test func groupsByShanghaiDayAndByStaff() {
        // 23:30 UTC on the 27th is 07:30 on the 28th in Beijing.
        let early = Evaluation(satisfaction: .satisfied, assessedAt: Date(timeIntervalSince1970: 1_795_822_200),
                               areaCode: "533103", windowCode: "W01", deviceId: "kp")
        let days = EvaluationStatistics([early], by: .day)
        #expect(days.rows.first?.key == "2026-11-28")
        let staff = EvaluationStatistics([Self.evaluation(.satisfied), Self.evaluation(.satisfied, staff: nil)], by: .staff)
        #expect(staff.rows.map(\.key) == ["(none)", "张三(zhangsan)"])
    }

    @Test func csvQuotesEscapesAndMasks() {
        let person = Evaluator(userName: PersonalData("李四"), certKey: PersonalData("533103199001011234"))
        var e = Self.evaluation(.veryDissatisfied, evaluator: person)
        e.deptName = "芒市,政务\"中心\""
        e.taskName = "=cmd()"
        let csv = EvaluationExport.csv([.init(evaluation: e, state: "pending", deliveredAt: nil)], reveal: false)
        #expect(csv.hasPrefix("\u{FEFF}evaluationId,assessTime"))
        #expect(csv.contains("\"芒市,政务\"\"中心\"\"\""))
        #expect(csv.contains(",'=cmd(),"))
        #expect(csv.contains("李*"))
        #expect(!csv.contains("533103199001011234"))
        let revealed = EvaluationExport.csv([.init(evaluation: e, state: "pending", deliveredAt: nil)], reveal: true)
        // ID numbers and codes stay text in Excel/WPS: a leading tab.
        #expect(revealed.contains(",\t533103199001011234,"))
        #expect(revealed.contains(",\t533103,"), "areaCode")
        #expect(!revealed.contains("\t=") && !revealed.contains("\t李"))
        #expect(EvaluationExport.looksNumeric("53310319900101123X"))
        #expect(!EvaluationExport.looksNumeric("W01") && !EvaluationExport.looksNumeric(""))
    }

    @Test func jsonExportIsTypedData() throws {
        var e = Self.evaluation(.veryDissatisfied)
        e.projectNo = nil
        let delivered = Date(timeIntervalSince1970: 1_795_822_200)
        let lines = EvaluationExport.jsonLines([.init(evaluation: e, state: "delivered", deliveredAt: delivered)], reveal: false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines.utf8)) as? [String: Any])
        #expect(object["satisfactionName"] as? String == "非常不满意")
        #expect(object["satisfaction"] as? Int == 1)
        #expect(object["badReview"] as? Bool == true)
        #expect(object["pf"] as? Int == 5)
        #expect(object["projectNo"] is NSNull)
        #expect(object["deliveredAt"] as? String == "2026-11-27T23:30:00Z")
        #expect((object["assessedAt"] as? String)?.hasSuffix("Z") == true)
        #expect(object["assessTime"] as? String == e.assessTime)
        #expect(!lines.dropLast().contains("\n"), "one line per record")
    }

    @Test func tablesAlignChineseByDisplayWidth() {
        #expect(TextTable.width("非常满意") == 8)
        #expect(TextTable.width("W01") == 3)
        let text = TextTable(header: ["评价", "n"], rows: [["非常满意", "1"], ["ok", "2"]]).render()
        let lines = text.split(separator: "\n")
        #expect(lines[2].hasPrefix("非常满意  1"))
        #expect(lines[3].hasPrefix("ok        2"))
    }
}
