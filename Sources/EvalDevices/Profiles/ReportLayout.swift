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

    /// Each problem names the field: offsets and masks inside the report,
    /// buttons 1–5, no value that could mean two things.
    func problems() -> [String] {
        var found: [String] = []
        if offset < 0 { found.append("report.offset must be ≥ 0") }
        if let length, length < 1 { found.append("report.length must be ≥ 1") }
        if let length, length >= 1, offset >= length {
            found.append("report.offset \(offset) is outside the \(length)-byte report (offsets 0–\(length - 1))")
        }
        if reportId != nil, offset == 0 { found.append("report.offset 0 is the report ID byte (reportId is set)") }
        if mask == 0 { found.append("report.mask 0 hides every bit: no button can be read") }
        if bitmap {
            if mask & ~UInt8(0x1F) != 0 {
                found.append("report.mask 0x\(Hex.byte(mask)) lets bits above bit 4 through: a bitmap has buttons 1–5 in bits 0–4")
            }
            if !values.isEmpty { found.append("report has both \"bitmap\": true and \"values\": keep one") }
        } else if values.isEmpty {
            found.append("report needs \"values\" or \"bitmap\": true")
        }
        var seen: [UInt8: Int] = [:]
        for (index, entry) in values.enumerated() {
            let field = "report.values[\(index)]"
            if !(1...5).contains(entry.button) { found.append("\(field).button \(entry.button) is not a button 1–5") }
            if entry.value & mask != entry.value {
                found.append("\(field).value 0x\(Hex.byte(entry.value)) has bits outside report.mask 0x\(Hex.byte(mask))")
            }
            let masked = entry.value & mask
            if masked == idleValue & mask { found.append("\(field).value 0x\(Hex.byte(entry.value)) equals report.idleValue") }
            if let first = seen[masked] {
                found.append("\(field).value 0x\(Hex.byte(entry.value)) is ambiguous: report.values[\(first)] has the same value")
            } else {
                seen[masked] = index
            }
        }
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
