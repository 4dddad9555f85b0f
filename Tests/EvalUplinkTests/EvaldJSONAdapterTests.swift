import EvalCore
import EvalPlatform
import EvalUplink
import Foundation
import Testing

@Suite struct EvaldJSONAdapterTests {
    let adapter = EvaldJSONAdapter(signer: RequestSigner(appKey: "app", secret: AppSecret("s")))

    func object(_ body: [UInt8]) throws -> [[String: Any]] {
        let root = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        return try #require(root["evaluations"] as? [[String: Any]])
    }

    @Test func encodesEveryFieldOfAnAnonymousRating() throws {
        var evaluation = Samples.evaluation(.dissatisfied, at: Samples.instant)
        evaluation.projectNo = "BJ2026030200001"
        let request = try adapter.encode([evaluation], basePath: "/api/v1", timestampMillis: 1, nonce: "00000000000000000000000000000001")
        #expect(request.relativePath == "/evaluations")
        let record = try #require(try object(request.body).first)
        #expect(record["evaluationId"] as? String == evaluation.evaluationId.description)
        #expect(record["satisfaction"] as? Int == 2)
        #expect(record["evaluationType"] as? Int == 1)
        #expect(record["assessTime"] as? String == "2026-03-02 09:30:15")
        #expect(record["assessNumber"] as? Int == 1)
        #expect(record["pf"] as? Int == 5)
        #expect(record["areaCode"] as? String == "533103")
        #expect(record["deptCode"] as? String == "11533103MB0123456X")
        #expect(record["windowCode"] as? String == "W01")
        #expect(record["deviceId"] as? String == "usb-1-1.2")
        #expect(record["projectNo"] as? String == "BJ2026030200001")
        #expect(record["anonymityFlag"] as? Int == 1)
        let persons = try #require(record["evaluatedPersonInfo"] as? [[String: String]])
        #expect(persons == [["loginName": "zhangsan", "name": "张三"]])
        // Absent optionals are omitted, not null.
        for absent in ["taskCode", "taskName", "userName", "certKey", "userProp"] {
            #expect(record[absent] == nil, "\(absent) should be omitted")
        }
    }

    @Test func realNameRatingCarriesClearPersonalData() throws {
        let evaluation = Samples.evaluation(realName: true)
        let record = try #require(try object(adapter.body(for: [evaluation])).first)
        #expect(record["anonymityFlag"] as? Int == 2)
        #expect(record["userName"] as? String == "李四")
        #expect(record["certKey"] as? String == "533103199001011234")
        #expect(record["userProp"] as? Int == 1)
    }

    @Test func emptyStaffListIsOmitted() throws {
        var evaluation = Samples.evaluation()
        evaluation.evaluatedPersons = []
        let record = try #require(try object(adapter.body(for: [evaluation])).first)
        #expect(record["evaluatedPersonInfo"] == nil)
    }

    @Test func satisfactionScaleAndChannelRemap() throws {
        let reversed = EvaldJSONAdapter(signer: RequestSigner(appKey: "a", secret: AppSecret("s")),
                                        settings: .init(satisfactionScale: .oneIsBest, pfMap: [5: 6]))
        let records = try object(reversed.body(for: Rating.allCases.map { Samples.evaluation($0) }))
        #expect(records.map { $0["satisfaction"] as? Int } == [1, 2, 3, 4, 5])  // 非常满意 → 1 (GB/T 39046 A.8)
        #expect(records.allSatisfy { $0["pf"] as? Int == 6 })
        for rating in Rating.allCases {
            #expect(SatisfactionScale.oneIsBest.rating(forCode: SatisfactionScale.oneIsBest.code(for: rating)) == rating)
        }
    }

    @Test func signsTheFullPath() throws {
        let signer = RequestSigner(appKey: "app", secret: AppSecret("s"))
        let request = try adapter.encode([Samples.evaluation()], basePath: "/api/v1/", timestampMillis: 42, nonce: "0123456789abcdef")
        let signature = try #require(request.headers.first { $0.name == "X-Signature" }?.value)
        #expect(signer.isValid(signature: signature, path: "/api/v1/evaluations", timestampMillis: 42, nonce: "0123456789abcdef", body: request.body))
        #expect(request.headers.contains(HeaderField("Content-Type", "application/json")))
    }

    // MARK: Decoding

    func results(_ pairs: [(String, String)]) -> UplinkResponse {
        let list = pairs.map { #"{"evaluationId":"\#($0.0)","status":"\#($0.1)","reason":"r"}"# }.joined(separator: ",")
        return UplinkResponse(status: 200, body: Array(#"{"results":[\#(list)]}"#.utf8))
    }

    @Test func decodesPerRecordResults() {
        let ids = (0..<3).map { _ in EvaluationID.make() }
        let verdict = adapter.decode(results([(ids[0].description, "accepted"), (ids[1].description, "duplicate"), (ids[2].description, "rejected")]), batch: ids)
        #expect(verdict == .perRecord([.delivered(ids[0]), .delivered(ids[1]), .rejected(ids[2], reason: "r")]))
    }

    @Test func neverTrustsAWrongResultList() {
        let ids = (0..<2).map { _ in EvaluationID.make() }
        let stranger = EvaluationID.make()
        let cases: [UplinkResponse] = [
            results([(ids[0].description, "accepted")]),  // too short
            results([(ids[0].description, "accepted"), (stranger.description, "accepted")]),  // unknown id
            results([(ids[0].description, "accepted"), (ids[0].description, "accepted")]),  // repeated id
            results([(ids[0].description, "accepted"), (ids[1].description, "maybe")]),  // unknown status
            UplinkResponse(status: 200, body: Array("<html>proxy error</html>".utf8)),
            UplinkResponse(status: 200, body: []),
        ]
        for response in cases {
            guard case .failure(.untrustworthy) = adapter.decode(response, batch: ids) else {
                Issue.record("trusted \(String(decoding: response.body, as: UTF8.self))")
                continue
            }
        }
    }

    @Test func classifiesStatuses() {
        let ids = [EvaluationID.make()]
        #expect(adapter.decode(UplinkResponse(status: 400, body: Array("bad".utf8)), batch: ids) == .failure(.malformedBatch(reason: "bad")))
        #expect(adapter.decode(UplinkResponse(status: 413), batch: ids) == .failure(.tooLarge))
        #expect(adapter.decode(UplinkResponse(status: 429, headers: [HeaderField("retry-after", "7")]), batch: ids) == .failure(.throttled(status: 429, retryAfter: 7)))
        #expect(adapter.decode(UplinkResponse(status: 503), batch: ids) == .failure(.throttled(status: 503, retryAfter: nil)))
        #expect(adapter.decode(UplinkResponse(status: 502), batch: ids) == .failure(.serverError(status: 502)))
        let unauthorized = adapter.decode(UplinkResponse(status: 401, headers: [HeaderField("Date", "Thu, 01 Jan 2026 00:00:00 GMT")], body: Array("no".utf8)), batch: ids)
        #expect(unauthorized == .failure(.unauthorized(reason: "no", platformDate: Date(timeIntervalSince1970: 1_767_225_600))))
    }

    @Test func httpDateRoundTrips() {
        let date = Date(timeIntervalSince1970: 1_772_415_015)
        #expect(HTTPDate.format(date) == "Mon, 02 Mar 2026 01:30:15 GMT")
        #expect(HTTPDate.parse(HTTPDate.format(date)) == date)
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == Date(timeIntervalSince1970: 784_111_777))
        #expect(HTTPDate.parse("yesterday") == nil)
    }
}
