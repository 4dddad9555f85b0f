import EvalCore

/// The fields a profile file may hold, so a misspelt one (`"ofset"`) is an
/// error naming it instead of a silently ignored key and a default.
enum ProfileFields {
    static let profile: Set<String> = Set(DeviceProfile.CodingKeys.allCases.map(\.rawValue) + ["extends"])
    static let match: Set<String> = ["vendorId", "productId", "interface", "serial"]
    static let report: Set<String> = ["length", "reportId", "offset", "mask", "bitmap", "values", "idleValue"]
    static let reportValue: Set<String> = ["value", "button"]
    static let key: Set<String> = ["code", "button"]
    static let scan: Set<String> = ["terminator", "interKeyTimeoutMilliseconds", "maxLength"]
    static let outputs: Set<String> = Set(CounterPrompt.allCases.map(\.rawValue))
    static let output: Set<String> = Set(OutputAction.CodingKeys.allCases.map(\.rawValue))
    static let serial: Set<String> = Set(SerialLayout.CodingKeys.allCases.map(\.rawValue))
    static let serialParts: [String: Set<String>] = [
        "line": Set(LineSettings.CodingKeys.allCases.map(\.rawValue)),
        "framing": Set(SerialFraming.CodingKeys.allCases.map(\.rawValue)),
        "checksum": Set(SerialChecksum.CodingKeys.allCases.map(\.rawValue)),
        "address": Set(SerialField.CodingKeys.allCases.map(\.rawValue)),
        "key": Set(SerialField.CodingKeys.allCases.map(\.rawValue)),
        "poll": Set(PollSettings.CodingKeys.allCases.map(\.rawValue)),
        "outputs": Set(SerialOutputs.CodingKeys.allCases.map(\.rawValue)),
    ]
    static let serialOutput: Set<String> = ["frame", "text"]

    /// `unknown field "report.ofset"`, one per unknown key, in a stable order.
    static func unknown(in object: [String: Any]) -> [String] {
        var found = names(object, allowed: profile, prefix: "")
        if let match = object["match"] as? [String: Any] { found += names(match, allowed: Self.match, prefix: "match.") }
        if let scan = object["scan"] as? [String: Any] { found += names(scan, allowed: Self.scan, prefix: "scan.") }
        if let report = object["report"] as? [String: Any] {
            found += names(report, allowed: Self.report, prefix: "report.")
            for (index, value) in ((report["values"] as? [Any]) ?? []).enumerated() {
                if let value = value as? [String: Any] { found += names(value, allowed: reportValue, prefix: "report.values[\(index)].") }
            }
        }
        if let outputs = object["outputs"] as? [String: Any] {
            found += names(outputs, allowed: Self.outputs, prefix: "outputs.")
            for (prompt, output) in outputs.sorted(by: { $0.key < $1.key }) {
                if let output = output as? [String: Any] { found += names(output, allowed: Self.output, prefix: "outputs.\(prompt).") }
            }
        }
        if let serial = object["serial"] as? [String: Any] {
            found += names(serial, allowed: Self.serial, prefix: "serial.")
            for (part, allowed) in serialParts.sorted(by: { $0.key < $1.key }) {
                if let inner = serial[part] as? [String: Any] { found += names(inner, allowed: allowed, prefix: "serial.\(part).") }
            }
            for (prompt, output) in ((serial["outputs"] as? [String: Any]) ?? [:]).sorted(by: { $0.key < $1.key }) {
                if let output = output as? [String: Any] { found += names(output, allowed: serialOutput, prefix: "serial.outputs.\(prompt).") }
            }
        }
        for (index, key) in ((object["keys"] as? [Any]) ?? []).enumerated() {
            if let key = key as? [String: Any] { found += names(key, allowed: Self.key, prefix: "keys[\(index)].") }
        }
        return found.map { "unknown field \"\($0)\"" }
    }

    private static func names(_ object: [String: Any], allowed: Set<String>, prefix: String) -> [String] {
        object.keys.filter { !allowed.contains($0) }.sorted().map { prefix + $0 }
    }
}
