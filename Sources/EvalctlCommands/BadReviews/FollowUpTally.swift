import EvalCore
import EvalQueue
import Foundation

/// The counts of one group (all, a window, a staff member) in `bad-reviews report`.
struct FollowUpTally {
    var reviews = 0
    /// Verified as mistaken or malicious: outside the rates.
    var excluded = 0
    var open = 0
    var overdue = 0
    var rates: RectificationRates

    init(_ histories: [FollowUpHistory], today: CivilDate) {
        reviews = histories.count
        excluded = histories.count { !$0.followUp.countsInRates }
        open = histories.count { $0.followUp.stage != .closed }
        overdue = histories.count { $0.followUp.isOverdue(at: today) }
        rates = RectificationRates(histories.map(\.followUp))
    }

    static let csvHeader = ["group", "key", "reviews", "excluded", "counted", "rectified", "rectificationRate",
                            "realName", "calledBack", "callBackRate", "open", "overdue"]

    var json: [String: Any] {
        [
            "reviews": reviews, "excluded": excluded, "counted": rates.counted, "rectified": rates.rectified,
            "rectificationRate": rates.rectificationRate ?? NSNull(), "realName": rates.realName, "calledBack": rates.calledBack,
            "callBackRate": rates.callBackRate ?? NSNull(), "open": open, "overdue": overdue,
        ]
    }

    func csv(group: String, key: String) -> [String] {
        [group, key, "\(reviews)", "\(excluded)", "\(rates.counted)", "\(rates.rectified)", rates.rectificationRate.map { "\($0)" } ?? "",
         "\(rates.realName)", "\(rates.calledBack)", rates.callBackRate.map { "\($0)" } ?? "", "\(open)", "\(overdue)"]
    }

    /// 整改率 / 回访率 as people read them: "50.0 %", or "-" when nothing was due.
    static func percent(_ rate: Double?) -> String {
        rate.map { String(format: "%.1f %%", $0 * 100) } ?? "-"
    }

    func textRow(_ key: String) -> [String] {
        [key, "\(reviews)", "\(excluded)", "\(rates.rectified)/\(rates.counted)", Self.percent(rates.rectificationRate),
         "\(rates.calledBack)/\(rates.realName)", Self.percent(rates.callBackRate), "\(open)", "\(overdue)"]
    }

    /// "中文 english", as every evalctl table heading.
    static let textHeader = ["", "差评 reviews", "排除 excluded", "已整改 rectified", "整改率 rate", "已回访 called back", "回访率 rate",
                             "未结 open", "超期 overdue"]
    /// Left out first at 80 columns; the counts behind the two rates stay in --wide, --json and --csv.
    static let textOptional = [2, 7, 3, 5]
}
