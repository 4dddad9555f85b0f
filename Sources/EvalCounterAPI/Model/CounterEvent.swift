import Foundation

/// What `GET /v1/events` streams: a service ended, or a device of a window
/// came or went. Encoded as one Server-Sent Event (`event:` name, JSON `data:`).
public struct CounterEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case rated, expired, cancelled
        case deviceOffline = "device-offline"
        case deviceOnline = "device-online"
    }

    public var kind: Kind
    public var windowCode: String
    public var service: CounterServiceRecord?
    public var deviceId: String?

    public init(kind: Kind, windowCode: String, service: CounterServiceRecord? = nil, deviceId: String? = nil) {
        self.kind = kind
        self.windowCode = windowCode
        self.service = service
        self.deviceId = deviceId
    }

    /// The event a service's end produces (nil while it is waiting).
    public static func ended(_ record: CounterServiceRecord) -> CounterEvent? {
        switch record.state {
        case .waiting: nil
        case .rated: CounterEvent(kind: .rated, windowCode: record.windowCode, service: record)
        case .expired: CounterEvent(kind: .expired, windowCode: record.windowCode, service: record)
        case .cancelled: CounterEvent(kind: .cancelled, windowCode: record.windowCode, service: record)
        }
    }

    /// `event: rated\ndata: {...}\n\n`.
    public var serverSentEvent: String {
        var object: [String: Any] = ["windowCode": windowCode]
        if let service { object.merge(APIJSON.service(service)) { _, new in new } }
        if let deviceId { object["deviceId"] = deviceId }
        return "event: \(kind.rawValue)\ndata: \(APIJSON.string(object))\n\n"
    }
}
