import EvalCore
import EvalPlatform
import EvalTesting
import Foundation
import Testing

/// What platform-sim does with a definition, without HTTP: a request built by
/// `DefinedAdapter` is taken apart, checked and answered by `DefinitionReceiver`.
@Suite struct DefinitionReceiverTests {
    static let now: Int64 = 1_772_415_015_000

    /// A form-posting, SM2-signing, SM4-encrypting province answering per batch in a header.
    static func sm2FormDefinition(sm4KeyFile: String) -> String {
        """
        {
          "name": "form-sm2-sm4",
          "comment": "test dialect: form body, SM2 signature, SM4-CBC records, batch code in a header",
          "endpoint": "/push.do",
          "timeFormat": "unixSeconds",
          "fields": [
            {"name": "EVAL_ID", "from": "evaluationId"},
            {"name": "LEVEL", "from": "satisfaction", "map": {"5": "A", "4": "B", "3": "C", "2": "D", "1": "E"}},
            {"name": "TIME", "from": "assessTime", "dateFormat": "yyyyMMddHHmmss"},
            {"name": "AREA", "from": "areaCode"}, {"name": "WIN", "from": "windowCode"}, {"name": "DEV", "from": "deviceId"},
            {"name": "TYPE", "from": "evaluationType"}, {"name": "NUM", "from": "assessNumber"}, {"name": "PF", "from": "pf"},
            {"name": "STAFF", "from": "evaluatedPersonInfo", "personKeys": {"loginName": "id", "name": "xm"}},
            {"name": "MOBILE", "from": "mobile", "whenAbsent": "empty"}
          ],
          "body": {"format": "form", "fields": [["appId", "${appKey}"], ["ts", "${time}"], ["data", "${records}"], ["sign", "${signature}"]]},
          "headers": [["Content-Type", "application/x-www-form-urlencoded"]],
          "signature": {"algorithm": "sm2-sm3", "string": "${appKey}${time}${records}", "encoding": "base64"},
          "encryption": {"algorithm": "sm4-cbc", "key": {"file": "\(sm4KeyFile)"}, "iv": "000102030405060708090a0b0c0d0e0f", "encoding": "base64"},
          "response": {
            "batch": {"header": "X-Result-Code", "reason": "message"},
            "accepted": ["0000"], "duplicate": ["0001"], "rejected": ["1000"], "transient": ["9000"]
          }
        }
        """
    }

    @Test func nationalSM3RoundTripsAndRefusesTampering() throws {
        let definition = try AdapterDefinition.load(path: DefinedAdapterTests.shipped("national-v2-sm3.json"))
        let adapter = try DefinedAdapter(definition: definition, appKey: "app", secret: AppSecret("s3cret"))
        let receiver = try DefinitionReceiver(definition: definition, appKey: "app", secret: AppSecret("s3cret"))
        let batch = [Samples.evaluation(.verySatisfied, at: Samples.instant), Samples.evaluation(.dissatisfied, realName: true, at: Samples.instant)]
        let request = try adapter.encode(batch, basePath: "/api/v1", timestampMillis: Self.now, nonce: "0123456789abcdef0123456789abcdef")
        let received = try receiver.receive(headers: request.headers, body: request.body, path: "/api/v1/evaluate/push", nowMillis: Self.now, windowMillis: 300_000)
        #expect(received.records.map(\.id) == batch.map(\.evaluationId.description))
        let back = try JSONSerialization.jsonObject(with: Data(received.records[1].evaldJSON)) as? [String: Any]
        #expect(back?["satisfaction"] as? Int == 2)
        #expect(back?["windowCode"] as? String == "W01")
        #expect(back?["certKey"] as? String == "533103199001011234")
        #expect(received.records.allSatisfy { $0.unknownFields.isEmpty })

        var tampered = request.body
        let index = try #require(tampered.firstIndex(of: UInt8(ascii: "W")))
        tampered[index] = UInt8(ascii: "X")
        #expect(throws: DefinitionReceiver.Refusal.unauthorized("bad signature")) {
            try receiver.receive(headers: request.headers, body: tampered, path: "/api/v1/evaluate/push", nowMillis: Self.now, windowMillis: 300_000)
        }
        #expect(throws: DefinitionReceiver.Refusal.self) {
            try receiver.receive(headers: request.headers, body: request.body, path: "/", nowMillis: Self.now + 400_000, windowMillis: 300_000)
        }

        // The answer, read back by the agent's side.
        let answer = receiver.answer([(batch[0].evaluationId.description, .accepted), (batch[1].evaluationId.description, .rejected("no"))])
        let verdict = adapter.decode(UplinkResponse(status: 200, headers: answer.headers, body: answer.body), batch: batch.map(\.evaluationId))
        #expect(verdict == .perRecord([.delivered(batch[0].evaluationId), .rejected(batch[1].evaluationId, reason: "no")]))
    }

    @Test func formSM2SM4DialectRoundTrips() throws {
        let directory = try TemporaryDirectory(prefix: "sm2-form")
        let (privatePath, publicPath) = try NationalCryptoTests.sm2KeyPair(in: directory)
        let keyFile = directory.path("sm4.key")
        try Data("00112233445566778899aabbccddeeff\n".utf8).write(to: URL(fileURLWithPath: keyFile))
        let definition = try AdapterDefinition.parse(Array(Self.sm2FormDefinition(sm4KeyFile: keyFile).utf8), file: "test.json")
        let adapter = try DefinedAdapter(definition: definition, appKey: "app", secret: AppSecret(try String(contentsOfFile: privatePath, encoding: .utf8)))
        let receiver = try DefinitionReceiver(definition: definition, appKey: "app", secret: AppSecret(""),
                                              sm2PublicKeyPEM: try String(contentsOfFile: publicPath, encoding: .utf8))
        let batch = Samples.batch(3).map { var e = $0; e.assessedAt = Samples.instant; return e }
        let request = try adapter.encode(batch, basePath: "/gov", timestampMillis: Self.now, nonce: "0123456789abcdef0123456789abcdef")
        let text = String(decoding: request.body, as: UTF8.self)
        #expect(text.hasPrefix("appId=app&ts=1772415015&data="))
        #expect(!text.contains("EVAL_ID"), "the records travel encrypted")
        let received = try receiver.receive(headers: request.headers, body: request.body, path: "/gov/push.do", nowMillis: Self.now, windowMillis: 300_000)
        let back = try #require(try JSONSerialization.jsonObject(with: Data(received.records[0].evaldJSON)) as? [String: Any])
        #expect(back["satisfaction"] as? Int == 4)
        #expect(back["assessTime"] as? String == "2026-03-02 09:30:15")
        #expect(back["mobile"] as? String == "")
        #expect((back["evaluatedPersonInfo"] as? [[String: String]]) == [["loginName": "zhangsan", "name": "张三"]])

        // Signed by another key: refused.
        let other = try NationalCryptoTests.sm2KeyPair(in: try TemporaryDirectory(prefix: "sm2-other"))
        let impostor = try DefinedAdapter(definition: definition, appKey: "app", secret: AppSecret(try String(contentsOfFile: other.privatePath, encoding: .utf8)))
        let forged = try impostor.encode(batch, basePath: "/gov", timestampMillis: Self.now, nonce: "0123456789abcdef0123456789abcdef")
        #expect(throws: DefinitionReceiver.Refusal.unauthorized("bad signature")) {
            try receiver.receive(headers: forged.headers, body: forged.body, path: "/gov/push.do", nowMillis: Self.now, windowMillis: 300_000)
        }

        // Batch answers in a header: all delivered, or the batch halved when refused.
        let ids = batch.map(\.evaluationId)
        let ok = receiver.answer(ids.map { ($0.description, .accepted) })
        #expect(adapter.decode(UplinkResponse(status: 200, headers: ok.headers, body: ok.body), batch: ids) == .perRecord(ids.map { .delivered($0) }))
        let refused = receiver.answer([(ids[0].description, .accepted), (ids[1].description, .rejected("bad"))])
        #expect(adapter.decode(UplinkResponse(status: 200, headers: refused.headers, body: refused.body), batch: ids) == .failure(.malformedBatch(reason: "bad")))
        #expect(adapter.decode(UplinkResponse(status: 200, headers: refused.headers, body: refused.body), batch: [ids[1]]) == .perRecord([.rejected(ids[1], reason: "bad")]))
        #expect(adapter.decode(UplinkResponse(status: 200, headers: [HeaderField("X-Result-Code", "9000")]), batch: ids)
                != .perRecord(ids.map { .delivered($0) }))
    }
}
