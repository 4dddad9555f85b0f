/// Vendor-defined HID report → button, per the profile's `ReportLayout`.
///
/// A press is an edge: the masked byte changes from idle (or another button)
/// to a button. The same value again (a held button resent) is not a new
/// press; the idle value re-arms. Wrong length, wrong report ID, unknown values
/// and several bitmap bits at once are discarded with a reason — and leave the
/// edge state alone, so held button, one garbage report, same button still
/// held is one press.
public struct ReportDecoder: Sendable {
    public let layout: ReportLayout
    private var lastValue: UInt8

    public init(layout: ReportLayout) {
        self.layout = layout
        lastValue = layout.idleValue & layout.mask
    }

    public mutating func feed(_ report: [UInt8]) -> [DecodedInput] {
        if let length = layout.length, report.count != length {
            return [.discarded("report of \(report.count) bytes, expected \(length): \(Hex.bytes(report.prefix(16)))")]
        }
        guard report.count > layout.offset else {
            return [.discarded("report of \(report.count) bytes has no byte at offset \(layout.offset)")]
        }
        if let reportId = layout.reportId, report.first != reportId {
            return [.discarded("report ID \(Hex.byte(report[0])) is not \(Hex.byte(reportId))")]
        }
        let value = report[layout.offset] & layout.mask
        if value == layout.idleValue & layout.mask || value == lastValue {
            lastValue = value
            return []
        }
        if layout.bitmap {
            let released = layout.idleValue & layout.mask
            let pressed = value & ~released
            // New bits only: a second button added while one is held counts once.
            let fresh = pressed & ~(lastValue & ~released)
            lastValue = value
            guard fresh != 0 else { return [] }
            guard fresh.nonzeroBitCount == 1 else {
                return [.discarded("several buttons at once (bits \(Hex.byte(fresh))) ignored")]
            }
            return [.button(fresh.trailingZeroBitCount + 1)]
        }
        guard let match = layout.values.first(where: { $0.value & layout.mask == value }) else {
            return [.discarded("unknown value \(Hex.byte(value)) at offset \(layout.offset)")]
        }
        lastValue = value
        return [.button(match.button)]
    }
}
