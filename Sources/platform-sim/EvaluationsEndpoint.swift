import EvalCore
import EvalPlatform
import EvalUplink
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `POST /api/v1` + the definition's endpoint: the platform an adapter
/// definition describes (by default `evald-json/1`, exactly as shared
/// DOMAIN.md "Reference platform protocol" says), plus the injected faults.
struct EvaluationsEndpoint: Sendable {
    static let basePath = "/api/v1"
    static let windowMillis: Int64 = 300_000
    static let maxBodyBytes = 4 << 20

    let state: SimulatorState
    let receiver: DefinitionReceiver

    var path: String { Self.basePath + receiver.definition.endpoint }

    /// The platform's clock (Hummingbird stamps the `Date` header from the same clock).
    var now: Date { Date() }
    var nowMillis: Int64 { Int64((now.timeIntervalSince1970 * 1000).rounded()) }

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

        let received: DefinitionReceiver.Received
        do {
            let headers = request.headers.map { HeaderField($0.name.rawName, $0.value) }
            received = try receiver.receive(headers: headers, body: body, path: path, nowMillis: nowMillis, windowMillis: Self.windowMillis)
        } catch .unauthorized(let reason) {
            state.count { $0.unauthorized += 1 }
            return error(401, reason)
        } catch .malformed(let reason) {
            state.count { $0.malformed += 1 }
            return error(400, reason)
        }
        // Only an authentic request burns its nonce.
        if let nonce = received.nonce,
           !state.useNonce(nonce, timestampMillis: received.timestampMillis ?? nowMillis, nowMillis: nowMillis, windowMillis: Self.windowMillis) {
            state.count { $0.unauthorized += 1 }
            return error(401, "the nonce was already used")
        }
        // One decode for the batch (a decoder per record costs more than the rest of the request).
        var array = Data([UInt8(ascii: "[")])
        for (i, item) in received.records.enumerated() {
            if i > 0 { array.append(UInt8(ascii: ",")) }
            array.append(contentsOf: item.evaldJSON)
        }
        array.append(UInt8(ascii: "]"))
        guard let decoded = try? JSONDecoder().decode([ReceivedRecord].self, from: array) else {
            state.count { $0.malformed += 1 }
            return error(400, "a record has a field of the wrong type")
        }
        let records = zip(received.records, decoded).map { (id: $0.0.id ?? "", record: $0.1, unknown: $0.0.unknownFields) }
        guard !records.isEmpty else {
            state.count { $0.malformed += 1 }
            return error(400, "a batch holds 1–\(receiver.definition.maxBatchSize) evaluations, got 0")
        }
        guard records.count <= receiver.definition.maxBatchSize else {
            state.count { $0.tooLarge += 1 }
            return error(413, "a batch holds 1–\(receiver.definition.maxBatchSize) evaluations, got \(records.count)")
        }

        // Validate outside the lock, then admit the whole batch under one lock
        // acquisition (the idempotency set is the only shared state touched).
        // A store line is encoded only when there is a store file to write.
        let storing = state.isStoring
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var results: [(id: String, outcome: DefinitionReceiver.Outcome)] = []
        results.reserveCapacity(records.count)
        var valid: [SimulatorState.Candidate] = []
        valid.reserveCapacity(records.count)
        var slots: [Int] = []
        slots.reserveCapacity(records.count)
        for (sentId, record, unknown) in records {
            let unknownProblem = unknown.isEmpty ? nil : "fields unknown to \(receiver.definition.name): \(unknown.joined(separator: ", "))"
            if let problem = unknownProblem ?? RecordValidator.problem(with: record) ?? injectedRejection(record, faults, &random) {
                results.append((sentId, .rejected(problem)))
                continue
            }
            let id = sentId.lowercased()
            slots.append(results.count)
            valid.append(.init(id: id, line: storing ? (try? encoder.encode(record)) ?? Data() : nil))
            results.append((sentId, .accepted))
        }
        // A platform answering per batch takes all or nothing: one bad record refuses the batch.
        let refusedWhole = receiver.answersPerBatch && valid.count < records.count
        let admissions = refusedWhole ? [] : state.admit(valid, rejected: records.count - valid.count)
        if refusedWhole { state.count { $0.received += records.count; $0.rejected += records.count - valid.count } }
        for (slot, admission) in zip(slots, admissions) where admission == .duplicate {
            results[slot].outcome = .duplicate
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
        let answer = receiver.answer(results)
        var response = json(200, answer.body)
        for header in answer.headers {
            if let name = HTTPField.Name(header.name) { response.headers[name] = header.value }
        }
        return response
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

    static let retryAfter = HTTPField.Name("Retry-After")!
}
