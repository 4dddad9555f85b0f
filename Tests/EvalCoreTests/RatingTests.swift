import EvalCore
import Testing

@Suite struct RatingTests {
    @Test func chineseNamesAndCodes() {
        #expect(Rating.verySatisfied.rawValue == 5)
        #expect(Rating.veryDissatisfied.rawValue == 1)
        #expect(Rating.allCases.map(\.chineseName) == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"])
        #expect(Rating(chineseName: "基本满意") == .basicallySatisfied)
        #expect(Rating(chineseName: "好") == nil)
    }

    @Test func onlyTheLastTwoAreBadReviews() {
        #expect(Rating.allCases.filter(\.isBadReview) == [.dissatisfied, .veryDissatisfied])
    }
}
