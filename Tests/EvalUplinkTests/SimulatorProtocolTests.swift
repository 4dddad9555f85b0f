import EvalCore
import EvalPlatform
import EvalTesting
import EvalUplink
import Foundation
import Testing

/// `platform-sim` itself enforces `evald-json/1`: requests are built by hand
/// here so that every rule can be broken on purpose.
@Suite(.serialized) struct SimulatorProtocolTests {
    static let secret = "protocol-test-secret"
    let signer = RequestSigner(appKey: "evald-test", secret: AppSecret(SimulatorProtocolTests.secret))
    let adapter = EvaldJSONAdapter(signer: RequestSigner(appKey: "evald-test", secret: AppSecret(SimulatorProtocolTests.secret)))
    let path = "/api/v1/evaluations"

    var nowMillis: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    func body(_ records: [EvaldJSONWire.Record]) throws -> [UInt8] {
        Array(try JSONEncoder().encode(EvaldJSONWire.Batch(evaluations: records)))
    }

    func send(_ transport: HTTPUplinkTransport, body: [UInt8], timestamp: Int64? = nil, nonce: String? = nil,
              signer: RequestSigner? = nil, signature: String? = nil) async throws -> UplinkResponse {
        let timestamp = timestamp ?? nowMillis
        let nonce = nonce ?? NonceGenerator().next()
        var headers = (signer ?? self.signer).headers(method: "POST", path: path, timestampMillis: timestamp, nonce: nonce, body: body)
        if let signature { headers[3] = HeaderField("X-Signature", signature) }
        return try await transport.send(UplinkRequest(relativePath: "/evaluations", headers: headers + [HeaderField("Content-Type", "application/json")], body: body))
    }

    func results(_ response: UplinkResponse) throws -> [EvaldJSONWire.Result] {
        try JSONDecoder().decode(EvaldJSONWire.Results.self, from: Data(response.body)).results
    }

    /// A transport that is shut down however `body` ends: AsyncHTTPClient
    /// traps when a client is released without shutdown, which would take the
    /// whole test process down with a failing expectation.
    static func withTransport(_ sim: PlatformSimulatorProcess, _ body: (HTTPUplinkTransport) async throws -> Void) async throws {
        let transport = try HTTPUplinkTransport(configuration: UplinkConfiguration(baseURL: sim.baseURL, appKey: "evald-test"))
        do {
            try await body(transport)
        } catch {
            try? await transport.shutdown()
            throw error
        }
        try await transport.shutdown()
    }

    @Test func enforcesSignatureTimestampNonceAndBatchRules() async throws {
        let sim = try await PlatformSimulatorProcess.start(secret: Self.secret)
        defer { sim.stop() }
        try await Self.withTransport(sim) { transport in

            let record = adapter.record(for: Samples.evaluation())
            let good = try body([record])
            let nonce = NonceGenerator().next()

            let first = try await send(transport, body: good, nonce: nonce)
            #expect(first.status == 200)
            #expect(try results(first).map(\.status) == ["accepted"])

            // The same evaluation again, properly signed: duplicate, not a second evaluation.
            #expect(try results(try await send(transport, body: good)).map(\.status) == ["duplicate"])
            // Replayed nonce, stale or future timestamp, bad signature, wrong key or secret: 401.
            #expect(try await send(transport, body: good, nonce: nonce).status == 401)
            #expect(try await send(transport, body: good, timestamp: nowMillis - 301_000).status == 401)
            #expect(try await send(transport, body: good, timestamp: nowMillis + 301_000).status == 401)
            #expect(try await send(transport, body: good, signature: String(repeating: "0", count: 64)).status == 401)
            #expect(try await send(transport, body: good, nonce: "abc").status == 401)
            #expect(try await send(transport, body: good, signer: RequestSigner(appKey: "evald-test", secret: AppSecret("wrong"))).status == 401)
            #expect(try await send(transport, body: good, signer: RequestSigner(appKey: "other", secret: AppSecret(Self.secret))).status == 401)
            let refused = try await send(transport, body: good, timestamp: nowMillis - 400_000)
            #expect(refused.header("Date").flatMap(HTTPDate.parse) != nil, "a 401 tells the platform's time")

            // Batch size and shape.
            #expect(try await send(transport, body: try body([])).status == 400)
            #expect(try await send(transport, body: Array("not json".utf8)).status == 400)
            let tooMany = (0..<101).map { _ in adapter.record(for: Samples.evaluation()) }
            #expect(try await send(transport, body: try body(tooMany)).status == 413)
            let hundred = (0..<100).map { _ in adapter.record(for: Samples.evaluation()) }
            #expect(try results(try await send(transport, body: try body(hundred))).count == 100)

            let stats = try await sim.stats()
            #expect(stats.unique == 101 && stats.duplicates == 1 && stats.unauthorized == 8)
        }
    }

    @Test func validatesFieldsPerRecord() async throws {
        let sim = try await PlatformSimulatorProcess.start(secret: Self.secret)
        defer { sim.stop() }
        try await Self.withTransport(sim) { transport in

            let base = adapter.record(for: Samples.evaluation())
            func variant(_ change: (inout EvaldJSONWire.Record) -> Void) -> EvaldJSONWire.Record {
                var copy = adapter.record(for: Samples.evaluation())
                change(&copy)
                return copy
            }
            let records = [
                base,
                variant { $0.evaluationId = "not-a-uuid" },
                variant { $0.satisfaction = 6 },
                variant { $0.assessTime = "2026/03/02 09:30" },
                variant { $0.areaCode = "53310" },
                variant { $0.areaCode = "5331031234567" },
                variant { $0.deptCode = "11533103MB0123456" },
                variant { $0.windowCode = "" },
                variant { $0.evaluationType = 3 },
                variant { $0.anonymityFlag = 2 },  // real-name without identity
            ]
            let answer = try results(try await send(transport, body: try body(records)))
            #expect(answer.map(\.status) == ["accepted"] + Array(repeating: "rejected", count: 9))
            #expect(answer[1].reason?.contains("evaluationId") == true)
            #expect(answer[2].reason?.contains("satisfaction") == true)
            #expect(answer[3].reason?.contains("assessTime") == true)
            #expect(answer[4].reason?.contains("areaCode") == true && answer[5].reason?.contains("areaCode") == true)
            #expect(answer[6].reason?.contains("deptCode") == true)
            #expect(try await sim.stats().rejected == 9)
        }
    }
}
