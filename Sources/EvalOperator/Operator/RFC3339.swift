import Foundation

/// Instants in evalctl's JSON: RFC 3339 in UTC with its zone (`2026-12-02T05:56:38Z`).
public enum RFC3339 {
    public static func string(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
