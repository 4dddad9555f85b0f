import EvalCore
import EvalPlatform
import EvalTesting
import Foundation
import Testing

/// `evald-json/1` as data: the shipped definition makes the same requests,
/// byte for byte, as the hand-written adapter, and reads answers the same way.
@Suite struct DefinedAdapterTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static func shipped(_ name: String) -> String { repository.appendingPathComponent("config/adapters/\(name)").path }

    static func variedEvaluations() -> [Evaluation] {
        var list = Rating.allCases.map { Samples.evaluation($0, at: Samples.instant) }
        list.append(Samples.evaluation(.dissatisfied, realName: true, at: Samples.instant))
        var odd = Samples.evaluation(.satisfied, window: "W\"\\/\n\t\u{1}窗口", at: Samples.instant)
        odd.evaluatedPersons = []
        odd.deptCode = nil
        odd.deptName = nil
        odd.hallCode = nil
        odd.projectNo = "BJ2026030200001"
        odd.taskCode = "T-1"
        odd.taskName = "营业执照 \"变更\""
        list.append(odd)
        // A bad review with its reasons, the citizen's words and the national fields.
        var national = Samples.evaluation(.dissatisfied, realName: true, at: Samples.instant)
        national.evalDetail = [213, 214]
        national.writingEvaluation = PersonalData("等了\"很久\"\n")
        var fields = NationalFields()
        fields.version = "2"
        fields.evaversion = "1"
        fields.serviceNumber = "S-1"
        fields.taskType = "1"
        fields.promisetime = "5"
        fields.handleUserName = PersonalData("李四")
        fields.handleUserPageType = PersonalData("111")
        fields.handleUserPageCode = PersonalData("533103199001011234")
        fields.userPageType = "111"
        fields.mobile = PersonalData("13800000000")
        fields.applyTime = "2026-03-02 09:00:00"
        fields.dataSource = "1"
        national.national = fields
        list.append(national)
        return list
    }

    @Test(arguments: [(EvaldJSONAdapter.Settings(), "default"),
                      (EvaldJSONAdapter.Settings(satisfactionScale: .oneIsBest, pfMap: [5: 6]), "reversed, pf remapped")])
    func shippedDefinitionMakesByteIdenticalRequests(settings: EvaldJSONAdapter.Settings, _ label: String) throws {
        let definition = try AdapterDefinition.load(path: Self.shipped("evald-json-1.json"))
        let defined = try DefinedAdapter(definition: definition, appKey: "app", secret: AppSecret("s3cret"), settings: settings)
        let handWritten = EvaldJSONAdapter(signer: RequestSigner(appKey: "app", secret: AppSecret("s3cret")), settings: settings)
        let evaluations = Self.variedEvaluations()
        for batch in [Array(evaluations.prefix(1)), evaluations] {
            for base in ["/api/v1", "/api/v1/", ""] {
                let nonce = "0123456789abcdef0123456789abcdef"
                let ours = try defined.encode(batch, basePath: base, timestampMillis: 1_772_415_015_123, nonce: nonce)
                let theirs = try handWritten.encode(batch, basePath: base, timestampMillis: 1_772_415_015_123, nonce: nonce)
                #expect(ours == theirs, "\(label), base \(base)")
                #expect(ours.body == theirs.body)
                #expect(ours.headers == theirs.headers)
            }
        }
        #expect(defined.clockProbe(basePath: "/api/v1", timestampMillis: 5, nonce: "00000000000000000000000000000009")
                == handWritten.clockProbe(basePath: "/api/v1", timestampMillis: 5, nonce: "00000000000000000000000000000009"))
    }

    @Test func builtInDefinitionIsTheShippedFile() throws {
        let file = try String(contentsOfFile: Self.shipped("evald-json-1.json"), encoding: .utf8)
        #expect(file.trimmingCharacters(in: .whitespacesAndNewlines) == AdapterDefinition.evaldJSON1Text.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(try AdapterDefinition.resolve("evald-json/1").name == "evald-json/1")
    }

    @Test func readsAnswersAsTheHandWrittenAdapterDoes() throws {
        let defined = try DefinedAdapter(definition: .evaldJSON1, appKey: "k", secret: AppSecret("s"))
        let handWritten = EvaldJSONAdapter(signer: RequestSigner(appKey: "k", secret: AppSecret("s")))
        let ids = Samples.batch(3).map(\.evaluationId)
        func results(_ statuses: [String]) -> [UInt8] {
            let list = zip(ids, statuses).map { #"{"evaluationId":"\#($0.0)","status":"\#($0.1)","reason":"r"}"# }
            return Array(#"{"results":[\#(list.joined(separator: ","))]}"#.utf8)
        }
        let responses: [UplinkResponse] = [
            .init(status: 200, body: results(["accepted", "duplicate", "rejected"])),
            .init(status: 200, body: results(["accepted", "accepted"])),
            .init(status: 200, body: results(["accepted", "weird", "accepted"])),
            .init(status: 200, body: Array("<html>".utf8)),
            .init(status: 401, headers: [HeaderField("Date", "Mon, 02 Mar 2026 01:30:15 GMT")], body: Array("no".utf8)),
            .init(status: 400, body: Array("bad".utf8)),
            .init(status: 413),
            .init(status: 429, headers: [HeaderField("Retry-After", "2")]),
            .init(status: 503),
            .init(status: 502),
        ]
        for response in responses {
            #expect(defined.decode(response, batch: ids) == handWritten.decode(response, batch: ids), "status \(response.status)")
        }
    }

    @Test func nationalDefinitionSendsNationalNamesAndLeavesAbsentFieldsOut() throws {
        let definition = try AdapterDefinition.load(path: Self.shipped("national-v2-sm3.json"))
        #expect(definition.comment?.contains("to be confirmed against the province's interface document") == true)
        let adapter = try DefinedAdapter(definition: definition, appKey: "app", secret: AppSecret("s3cret"))
        let evaluation = Samples.evaluation(.dissatisfied, realName: true, at: Samples.instant)
        let request = try adapter.encode([evaluation], basePath: "/api", timestampMillis: 1_772_415_015_000, nonce: "0123456789abcdef0123456789abcdef")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
        let envelope = try #require(root["txnBodyCom"] as? [String: Any])
        #expect(envelope["appMark"] as? String == "app")
        #expect(envelope["time"] as? String == "20260302093015")
        let sign = try #require(envelope["sign"] as? String)
        #expect(sign.count == 64 && sign == sign.uppercased())
        let records = try #require((envelope["params"] as? [String: Any])?["evaluate"] as? [[String: Any]])
        let record = try #require(records.first)
        #expect(record["evaluateId"] as? String == evaluation.evaluationId.description)
        #expect(record["alternate"] as? String == "2")
        #expect(record["winCode"] as? String == "W01")
        #expect(record["userCert"] as? String == "533103199001011234")
        #expect(record["assessTime"] as? String == "2026-03-02 09:30:15")
        // National fields the evaluation does not carry are not sent at all.
        for absent in ["evalDetail", "writingEvaluation", "mobile", "handleUserName", "applyTime", "serviceNumber", "taskCode"] {
            #expect(record[absent] == nil, "\(absent)")
        }
        // The signed string, recomputed by hand.
        let recordsText = try #require(String(decoding: request.body, as: UTF8.self).components(separatedBy: "\"evaluate\":").last?.dropLast(3))
        let signed = "appMark=app&nonce=0123456789abcdef0123456789abcdef&time=20260302093015&evaluate=\(recordsText)&secret=s3cret"
        #expect(Hex.encode(OpenSSLDigest.sm3.hash(Array(signed.utf8))).uppercased() == sign)
    }

    @Test func everyNationalFieldIsListedInTheNationalDefinition() throws {
        let definition = try AdapterDefinition.load(path: Self.shipped("national-v2-sm3.json"))
        let national = ["evalDetail", "writingEvaluation", "version", "evaversion", "serviceNumber", "taskType", "promisetime",
                        "handleUserName", "handleUserPageType", "handleUserPageCode", "userPageType", "mobile", "applyTime",
                        "dataSource", "assessNumber"]
        for name in national {
            #expect(definition.fields.contains { $0.name == name && $0.source.rawValue == name }, "\(name)")
        }
    }

    @Test func errorsNameFileKeyAndLine() throws {
        let text = """
        {
          "name": "broken",
          "endpoint": "push",
          "fields": [
            {"name": "id", "from": "evaluationId"},
            {"name": "x", "from": "nope"}
          ],
          "body": {"format": "json", "template": {"data": "${records}", "t": "${tme}"}},
          "signature": {"algorithm": "md5", "string": "${records}"},
          "response": {"results": {"list": "r", "id": "id", "status": "s"}, "accepted": ["0"], "rejected": ["1"], "colour": 1}
        }
        """
        let issues = try #require(throws: DefinitionErrors.self) { try AdapterDefinition.parse(Array(text.utf8), file: "/etc/evald/p.json") }.issues
        let lines = issues.map(\.description)
        #expect(lines.contains { $0.hasPrefix("/etc/evald/p.json:3: endpoint:") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("/etc/evald/p.json:6: fields[1].from:") && $0.contains("nope") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("/etc/evald/p.json:8: body.template.t:") && $0.contains("${tme}") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("/etc/evald/p.json:9: signature.algorithm:") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("/etc/evald/p.json:10: response.colour:") }, "\(lines)")
        let syntax = try #require(throws: DefinitionErrors.self) { try AdapterDefinition.parse(Array("{\n\"a\": [1,]\n}".utf8), file: "f.json") }
        #expect(syntax.description.hasPrefix("f.json:2: not JSON"))
    }
}
