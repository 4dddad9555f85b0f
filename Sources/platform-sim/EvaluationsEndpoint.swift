import EvalCore
import EvalPlatform
import EvalUplink
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `POST /api/v1/evaluations`, exactly as shared DOMAIN.md "Reference platform
/// protocol" says, plus the injected faults.
struct EvaluationsEndpoint: Sendable {
    static let path = "/api/v1/evaluations"
    static let windowMillis: Int64 = 300_000
    static let maxBodyBytes = 4 << 20

    let state: SimulatorState
    let appKey: String
    let signer: RequestSigner

    /// The platform's clock (Hummingbird stamps the `Date` header from the same clock).
    var now: Date { Date() }

    func handle(_ request: Request, context: SimulatorContext) async throws -> Response {
        state.count { $0.requests += 1 }
        let faults = state.currentFaults()
        var random = state.requestGenerator()
        if faults.latencyMs > 0 { try await Task.sleep(for: .milliseconds(faults.latencyMs)) }

        if let status = faults.drawErrorStatus(using: &random) {
            state.count { $0.injectedErrors += 1 }
            return error(status, "injected fault")
        }
        if Faults.draw(faults.throttleRate, &random) {
            state.count { $0.throttled += 1 }
            var response = error(429, "slow down")
            if let seconds = faults.retryAfterSeconds { response.headers[Self.retryAfter] = String(seconds) }
            return response
        }

        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: Self.maxBodyBytes)
        } catch {
            state.count { $0.tooLarge += 1 }
            return self.error(413, "body larger than \(Self.maxBodyBytes) bytes")
        }
        let body = Array(buffer: buffer)

        if let refusal = authenticate(request.headers, body: body) {
            state.count { $0.unauthorized += 1 }
            return error(401, refusal)
        }

        guard let batch = try? JSONDecoder().decode(ReceivedBatch.self, from: Data(body)), let records = batch.evaluations else {
            state.count { $0.malformed += 1 }
            return error(400, "body is not {\"evaluations\":[…]} with fields of the right types")
        }
        guard !records.isEmpty else {
            state.count { $0.malformed += 1 }
            return error(400, "a batch holds 1–100 evaluations, got 0")
        }
        guard records.count <= 100 else {
            state.count { $0.tooLarge += 1 }
            return error(413, "a batch holds 1–100 evaluations, got \(records.count)")
        }

        // Validate outside the lock, then admit the whole batch under one lock
        // acquisition (the idempotency set is the only shared state touched).
        // A store line is encoded only when there is a store file to write.
        let storing = state.isStoring
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var results: [EvaldJSONWire.Result] = []
        results.reserveCapacity(records.count)
        var valid: [SimulatorState.Candidate] = []
        valid.reserveCapacity(records.count)
        var slots: [Int] = []
        slots.reserveCapacity(records.count)
        for record in records {
            if let problem = RecordValidator.problem(with: record) ?? injectedRejection(record, faults, &random) {
                results.append(.init(evaluationId: record.evaluationId ?? "", status: "rejected", reason: problem))
                continue
            }
            let id = record.evaluationId?.lowercased() ?? ""
            slots.append(results.count)
            valid.append(.init(id: id, line: storing ? (try? encoder.encode(record)) ?? Data() : nil))
            results.append(.init(evaluationId: id, status: "accepted"))
        }
        let admissions = state.admit(valid, rejected: records.count - valid.count)
        for (slot, admission) in zip(slots, admissions) where admission == .duplicate {
            results[slot].status = "duplicate"
        }

        if Faults.draw(faults.dropRate, &random) {
            state.count { $0.dropped += 1 }
            // Stored, but the client never hears so: it must resend and get `duplicate`.
            context.channel.close(promise: nil)
            throw HTTPError(.internalServerError)
        }
        if Faults.draw(faults.garbageRate, &random) {
            state.count { $0.garbage += 1 }
            return json(200, Array("<html>upstream proxy error</html>".utf8))
        }
        let answer = try encoder.encode(EvaldJSONWire.Results(results: results))
        return json(200, Array(answer))
    }

    /// nil if the request is authentic; else why not (sent in the 401 body).
    private func authenticate(_ headers: HTTPFields, body: [UInt8]) -> String? {
        guard headers[Self.appKeyHeader] == appKey else { return "unknown X-App-Key" }
        guard let timestampText = headers[Self.timestampHeader], let timestamp = Int64(timestampText) else {
            return "X-Timestamp must be Unix milliseconds"
        }
        let nowMillis = Int64((now.timeIntervalSince1970 * 1000).rounded())
        guard abs(nowMillis - timestamp) <= Self.windowMillis else {
            return "X-Timestamp is more than 300 s away from the platform clock"
        }
        guard let nonce = headers[Self.nonceHeader], nonce.count >= 16, nonce.allSatisfy(\.isHexDigit) else {
            return "X-Nonce must be at least 16 hex characters"
        }
        guard let signature = headers[Self.signatureHeader],
              signer.isValid(signature: signature, path: Self.path, timestampMillis: timestamp, nonce: nonce, body: body) else {
            return "bad X-Signature"
        }
        // Only an authentic request burns its nonce.
        guard state.useNonce(nonce.lowercased(), timestampMillis: timestamp, nowMillis: nowMillis, windowMillis: Self.windowMillis) else {
            return "X-Nonce was already used"
        }
        return nil
    }

    private func injectedRejection(_ record: ReceivedRecord, _ faults: Faults, _ random: inout SplitMix64) -> String? {
        if let field = faults.rejectField, let value = faults.rejectValue, record.text(of: field) == value {
            return "injected: \(field) \(value) is not accepted"
        }
        if Faults.draw(faults.rejectRate, &random) { return "injected: random rejection" }
        return nil
    }

    private func error(_ status: Int, _ message: String) -> Response {
        let body = (try? JSONEncoder().encode(["error": message])) ?? Data()
        return json(status, Array(body))
    }

    private func json(_ status: Int, _ body: [UInt8]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static let appKeyHeader = HTTPField.Name("X-App-Key")!
    static let timestampHeader = HTTPField.Name("X-Timestamp")!
    static let nonceHeader = HTTPField.Name("X-Nonce")!
    static let signatureHeader = HTTPField.Name("X-Signature")!
    static let retryAfter = HTTPField.Name("Retry-After")!
}
