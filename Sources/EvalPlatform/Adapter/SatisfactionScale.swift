import EvalCore

/// Which end of 1…5 means 非常满意 on the platform.
///
/// evald's `Rating` is 5 = 非常满意 (as `evald-json/1` and most provincial
/// clients); GB/T 39046-2020 Annex A.8 numbers the other way (1 = 非常满意).
public enum SatisfactionScale: String, Sendable, Codable, CaseIterable {
    case fiveIsBest = "five-is-best"
    case oneIsBest = "one-is-best"

    public func code(for rating: Rating) -> Int {
        switch self {
        case .fiveIsBest: rating.rawValue
        case .oneIsBest: 6 - rating.rawValue
        }
    }

    public func rating(forCode code: Int) -> Rating? {
        switch self {
        case .fiveIsBest: Rating(rawValue: code)
        case .oneIsBest: Rating(rawValue: 6 - code)
        }
    }
}
