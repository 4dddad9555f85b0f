/// The five satisfaction levels of the 好差评 system.
///
/// The raw value is the *internal* code used throughout evald and in the
/// `evald-json/1` protocol: 5 = 非常满意 … 1 = 非常不满意. Provinces that use
/// GB/T 39046-2020 Annex A.8's reversed order are served by the uplink adapter's
/// `SatisfactionScale`, never by changing this type.
public enum Rating: Int, Sendable, Codable, CaseIterable, Comparable {
    case verySatisfied = 5
    case satisfied = 4
    case basicallySatisfied = 3
    case dissatisfied = 2
    case veryDissatisfied = 1

    /// The name printed on the keypad and in the rules.
    public var chineseName: String {
        switch self {
        case .verySatisfied: "非常满意"
        case .satisfied: "满意"
        case .basicallySatisfied: "基本满意"
        case .dissatisfied: "不满意"
        case .veryDissatisfied: "非常不满意"
        }
    }

    /// 不满意 and 非常不满意 are bad reviews (差评): forwarded first, alerted at once,
    /// and tracked for rectification within 15 working days.
    public var isBadReview: Bool { self == .dissatisfied || self == .veryDissatisfied }

    public init?(chineseName: String) {
        guard let match = Rating.allCases.first(where: { $0.chineseName == chineseName }) else { return nil }
        self = match
    }

    public static func < (lhs: Rating, rhs: Rating) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Whether the citizen rated (1) or the agent applied the 5-working-day default (2).
public enum EvaluationType: Int, Sendable, Codable {
    case active = 1
    case defaulted = 2
}

/// First evaluation (1) or a follow-up evaluation (2) of the same service.
public enum AssessNumber: Int, Sendable, Codable {
    case first = 1
    case followUp = 2
}

/// Whether the evaluator is anonymous (1) or rated under their real name (2).
public enum AnonymityFlag: Int, Sendable, Codable {
    case anonymous = 1
    case realName = 2
}
