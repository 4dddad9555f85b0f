import EvalCore
import Foundation
import Testing

@Suite struct EvaluationIDTests {
    @Test func isVersion7WithTheCreationMillisecond() throws {
        let instant = Date(timeIntervalSince1970: 1_764_000_000.123)
        let id = EvaluationID.make(at: instant)
        #expect(id.description.count == 36)
        #expect(Array(id.description)[14] == "7")
        #expect(["8", "9", "a", "b"].contains(Array(id.description)[19]))
        let stamp = try #require(id.timestamp)
        #expect(abs(stamp.timeIntervalSince1970 - 1_764_000_000.123) < 0.001)
    }

    @Test func sortsByCreationTime() {
        let ids = (0..<200).map { EvaluationID.make(at: Date(timeIntervalSince1970: 1_700_000_000 + Double($0))) }
        #expect(ids.shuffled().sorted() == ids)
    }

    @Test func isUniqueWithinOneMillisecond() {
        let instant = Date()
        let ids = Set((0..<10_000).map { _ in EvaluationID.make(at: instant) })
        #expect(ids.count == 10_000)
    }

    @Test func roundTripsThroughItsString() throws {
        let id = EvaluationID.make()
        #expect(EvaluationID(id.description) == id)
        #expect(EvaluationID("not-a-uuid") == nil)
        let data = try JSONEncoder().encode([id])
        #expect(try JSONDecoder().decode([EvaluationID].self, from: data) == [id])
    }

    /// The hand-written form against Foundation's, and the byte order against
    /// the string order, on ids of every kind (not only v7: any UUID parses).
    @Test func itsStringIsFoundationsLowercaseFormAndSortsAsItsString() {
        var ids = (0..<2_000).map { _ in EvaluationID(uuid: UUID()) }
        ids += (0..<2_000).map { EvaluationID.make(at: Date(timeIntervalSince1970: Double($0 % 7) * 1e9)) }
        ids.append(EvaluationID(uuid: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))))
        ids.append(EvaluationID(uuid: UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))))
        for id in ids {
            #expect(id.description == id.uuid.uuidString.lowercased())
        }
        for (a, b) in zip(ids, ids.shuffled()) {
            #expect((a < b) == (a.description < b.description))
        }
    }
}
