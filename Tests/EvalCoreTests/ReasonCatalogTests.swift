import EvalCore
import Foundation
import Testing

/// Issue 26: the reason table is data, and a code is taken only with its own level.
struct ReasonCatalogTests {
    @Test func theNationalRangesHoldEightCodesPerLevel() {
        let catalog = ReasonCatalog.national
        #expect(catalog.reasons.count == 40)
        for (level, range) in ReasonCatalog.nationalRanges {
            #expect(range.count == 8)
            for code in range { #expect(catalog.reason(code)?.level == level) }
        }
        #expect(catalog.display(213) == "213 业务不熟练")
        #expect(catalog.display(214) == "214 态度生硬")
        #expect(catalog.display(510) == "510")
    }

    @Test func codesAreCheckedAgainstThePressedLevel() throws {
        let catalog = ReasonCatalog.national
        #expect(try catalog.check([213, 214], for: .dissatisfied) == [213, 214])
        #expect(try catalog.check([108], for: .veryDissatisfied) == [108])
        #expect(throws: ReasonError.wrongLevel(code: 213, codeLevel: .dissatisfied, pressed: .verySatisfied)) {
            try catalog.check([213], for: .verySatisfied)
        }
        #expect(throws: ReasonError.unknownCode(999)) { try catalog.check([999], for: .dissatisfied) }
        #expect(throws: ReasonError.repeated(213)) { try catalog.check([213, 213], for: .dissatisfied) }
        #expect(throws: ReasonError.empty) { try catalog.check([], for: .dissatisfied) }
        #expect(throws: ReasonError.tooMany(9)) { try catalog.check(Array(repeating: 213, count: 9), for: .dissatisfied) }
    }

    @Test func theWireFormIsCommaSeparated() throws {
        #expect(try ReasonCatalog.parse("510,517") == [510, 517])
        #expect(try ReasonCatalog.parse("213") == [213])
        #expect(ReasonCatalog.format([213, 214]) == "213,214")
        for bad in ["", "213,", "21a", "1234", "213;214", "-1"] {
            #expect(throws: ReasonError.self) { try ReasonCatalog.parse(bad) }
        }
    }

    @Test func aTableFileIsDecodedAndCheckedOnLoad() throws {
        let table = try ReasonCatalog.decode(json: Data(#"{"source":"x","reasons":[{"code":213,"level":2,"label":"业务不熟练"},{"code":901,"level":1}]}"#.utf8))
        #expect(table.reason(901)?.label == "")
        #expect(table.reason(213)?.level == .dissatisfied)
        #expect(throws: ReasonError.self) {
            try ReasonCatalog.decode(json: Data(#"{"reasons":[{"code":213,"level":2},{"code":213,"level":2}]}"#.utf8))
        }
        #expect(throws: ReasonError.self) { try ReasonCatalog.decode(json: Data(#"{"reasons":[{"code":213,"level":6}]}"#.utf8)) }
        #expect(throws: ReasonError.self) { try ReasonCatalog.decode(json: Data("[]".utf8)) }
    }
}
