import EvalCore
import Foundation

/// The API's JSON shapes, in one place so the answers and the SSE data agree
/// with docs/api/openapi.json.
enum APIJSON {
    static func service(_ record: CounterServiceRecord) -> [String: Any] {
        var object: [String: Any] = [
            "serviceId": record.serviceId,
            "windowCode": record.windowCode,
            "projectNo": record.ticket.projectNo,
            "state": record.state.name,
            "countdownSeconds": record.countdownSeconds,
            "openedAt": ISO8601DateFormatter().string(from: record.openedAt),
        ]
        if let taskCode = record.ticket.taskCode { object["taskCode"] = taskCode }
        if let taskName = record.ticket.taskName { object["taskName"] = taskName }
        switch record.state {
        case .rated(let evaluationId, let satisfaction):
            object["evaluationId"] = evaluationId
            object["satisfaction"] = satisfaction
            // Whether the page may still send the reasons (`POST …/detail`), and until when.
            object["detailAwaited"] = record.detailUntil != nil && !record.detailReceived
            if let until = record.detailUntil { object["detailUntil"] = ISO8601DateFormatter().string(from: until) }
            if record.detailReceived { object["detailReceived"] = true }
        case .cancelled(let reason):
            object["reason"] = reason.rawValue
        case .waiting, .expired:
            break
        }
        return object
    }

    static func window(_ window: WindowSnapshot, waiting: CounterServiceRecord?) -> [String: Any] {
        var object: [String: Any] = [
            "windowCode": window.windowCode,
            "devices": window.devices.map { ["deviceId": $0.deviceId, "online": $0.online] as [String: Any] },
        ]
        if let hallCode = window.hallCode { object["hallCode"] = hallCode }
        if let staff = window.staff { object["staff"] = ["loginName": staff.loginName, "name": staff.name] }
        if let waiting { object["waitingService"] = service(waiting) }
        return object
    }

    static func error(_ code: String, _ message: String, extra: [String: Any] = [:]) -> [String: Any] {
        var object: [String: Any] = ["code": code, "message": message]
        object.merge(extra) { _, new in new }
        return ["error": object]
    }

    static func data(_ object: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }

    static func string(_ object: Any) -> String { String(decoding: data(object), as: UTF8.self) }
}
