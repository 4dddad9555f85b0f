import EvalCore
import Foundation

extension DefinedAdapter {
    public func decode(_ response: UplinkResponse, batch: [EvaluationID]) -> BatchVerdict {
        let r = definition.response
        if r.okStatuses.contains(response.status) { return decodeOK(response, batch: batch) }
        switch r.statuses[response.status] {
        case .unauthorized?:
            let date = response.header("Date").flatMap(HTTPDate.parse)
            return .failure(.unauthorized(reason: EvaldJSONAdapter.snippet(response.body), platformDate: date))
        case .malformed?: return .failure(.malformedBatch(reason: EvaldJSONAdapter.snippet(response.body)))
        case .tooLarge?: return .failure(.tooLarge)
        case .throttled?:
            return .failure(.throttled(status: response.status, retryAfter: response.header("Retry-After").flatMap(EvaldJSONAdapter.retryAfterSeconds)))
        case .transient?, nil: return .failure(.serverError(status: response.status))
        }
    }

    private func decodeOK(_ response: UplinkResponse, batch: [EvaluationID]) -> BatchVerdict {
        let r = definition.response
        let json = try? JSONNodeParser.parse(response.body)
        if let success = r.success {
            let value: String? = switch success.place {
            case .header: response.header(success.key)
            case .body: json?.at(path: success.key)?.text
            }
            guard let value, success.values.contains(value) else {
                return .failure(.untrustworthy(reason: "\(response.status) without the success marker \(success.key): \(EvaldJSONAdapter.snippet(response.body))"))
            }
        }
        switch r.reading {
        case .perRecord(let list, let idKey, let statusKey, let reasonKey):
            guard let json else {
                return .failure(.untrustworthy(reason: "\(response.status) with an unparseable body: \(EvaldJSONAdapter.snippet(response.body))"))
            }
            guard let node = json.at(path: list), case .array(let items) = node.kind else {
                return .failure(.untrustworthy(reason: "\(response.status) without a result list at \(list): \(EvaldJSONAdapter.snippet(response.body))"))
            }
            guard items.count == batch.count else {
                return .failure(.untrustworthy(reason: "\(response.status) with \(items.count) results for \(batch.count) records"))
            }
            var expected = Set(batch)
            var verdicts: [RecordVerdict] = []
            verdicts.reserveCapacity(batch.count)
            for item in items {
                let idText = item.at(path: idKey)?.text ?? ""
                guard let id = EvaluationID(idText), expected.remove(id) != nil else {
                    return .failure(.untrustworthy(reason: "\(response.status) naming an unknown or repeated id \(idText.prefix(40))"))
                }
                let code = item.at(path: statusKey)?.text ?? ""
                let reason = reasonKey.flatMap { item.at(path: $0)?.text }
                switch classify(code) {
                case .delivered: verdicts.append(.delivered(id))
                case .rejected: verdicts.append(.rejected(id, reason: reason ?? "rejected (code \(code)) without a reason"))
                case .transient: return .failure(.untrustworthy(reason: "platform code \(code.prefix(40)) for a record: try again later"))
                case .unknown: return .failure(.untrustworthy(reason: "\(response.status) with unknown status \(code.prefix(40))"))
                }
            }
            return .perRecord(verdicts)

        case .batch(let place, let codeKey, let reasonKey):
            let code: String? = switch place {
            case .header: response.header(codeKey)
            case .body: json?.at(path: codeKey)?.text
            }
            guard let code else {
                return .failure(.untrustworthy(reason: "\(response.status) without a batch code at \(codeKey): \(EvaldJSONAdapter.snippet(response.body))"))
            }
            let reason = reasonKey.flatMap { json?.at(path: $0)?.text } ?? "code \(code)"
            switch classify(code) {
            case .delivered: return .perRecord(batch.map { .delivered($0) })
            // The platform refuses the batch without saying which record: halve
            // it (as for a 400) until the refused record stands alone.
            case .rejected:
                return batch.count == 1 ? .perRecord([.rejected(batch[0], reason: reason)]) : .failure(.malformedBatch(reason: reason))
            case .transient: return .failure(.untrustworthy(reason: "platform code \(code.prefix(40)): try again later (\(reason.prefix(80)))"))
            case .unknown: return .failure(.untrustworthy(reason: "\(response.status) with unknown batch code \(code.prefix(40))"))
            }
        }
    }

    enum CodeClass { case delivered, rejected, transient, unknown }

    func classify(_ code: String) -> CodeClass {
        let r = definition.response
        if r.accepted.contains(code) || r.duplicate.contains(code) { return .delivered }
        if r.rejected.contains(code) { return .rejected }
        if r.transient.contains(code) { return .transient }
        return .unknown
    }
}
