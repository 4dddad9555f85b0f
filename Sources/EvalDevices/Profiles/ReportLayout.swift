/// Where the button sits in a vendor-defined HID report.
///
/// Two shapes cover the keypads seen so far: a *code* byte (`values` lists which
/// masked value means which button) or a *bitmap* (bit n of the masked byte =
/// button n+1). A report whose masked byte is `idleValue` means "all released".
public struct ReportLayout: Sendable, Hashable, Codable {
    /// Exact report length in bytes; nil accepts any report long enough for `offset`.
    public var length: Int?
    /// When set, byte 0 must be this report ID, else the report is not ours.
    public var reportId: UInt8?
    public var offset: Int
    public var mask: UInt8
    public var bitmap: Bool
    public var values: [ReportValue]
    public var idleValue: UInt8

    public init(length: Int? = nil, reportId: UInt8? = nil, offset: Int, mask: UInt8 = 0xFF, bitmap: Bool = false, values: [ReportValue] = [], idleValue: UInt8 = 0) {
        self.length = length
        self.reportId = reportId
        self.offset = offset
        self.mask = mask
        self.bitmap = bitmap
        self.values = values
        self.idleValue = idleValue
    }

    enum CodingKeys: String, CodingKey { case length, reportId, offset, mask, bitmap, values, idleValue }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        length = try c.decodeIfPresent(Int.self, forKey: .length)
        reportId = try c.decodeIfPresent(UInt8.self, forKey: .reportId)
        offset = try c.decode(Int.self, forKey: .offset)
        mask = try c.decodeIfPresent(UInt8.self, forKey: .mask) ?? 0xFF
        bitmap = try c.decodeIfPresent(Bool.self, forKey: .bitmap) ?? false
        values = try c.decodeIfPresent([ReportValue].self, forKey: .values) ?? []
        idleValue = try c.decodeIfPresent(UInt8.self, forKey: .idleValue) ?? 0
    }

    func problems() -> [String] {
        var found: [String] = []
        if offset < 0 { found.append("report.offset must be ≥ 0") }
        if let length, length <= offset { found.append("report.length \(length) leaves no byte at offset \(offset)") }
        if !bitmap && values.isEmpty { found.append("report needs \"values\" or \"bitmap\": true") }
        if values.contains(where: { $0.value & mask == idleValue & mask }) { found.append("a report value equals idleValue") }
        return found
    }
}

public struct ReportValue: Sendable, Hashable, Codable {
    public var value: UInt8
    public var button: Int

    public init(value: UInt8, button: Int) {
        self.value = value
        self.button = button
    }
}
