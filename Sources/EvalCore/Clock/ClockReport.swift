import Foundation

/// What `evalctl status` and `/metrics` say about the wall clock: whether
/// evaluations made now are dated right, and why (issue 10).
public struct ClockReport: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Evaluations stamped now carry a wall time the agent believes.
    public var trusted: Bool
    /// One word for scripts: `kernel-synchronized`, `platform-agrees`,
    /// `no-evidence`, `unsynchronized`, `before-build-date`, `jumped`,
    /// `platform-disagrees`.
    public var state: String
    /// For people: what was seen, and what it means.
    public var detail: String
    /// The platform's `Date` minus our wall clock at its last answer (nil: no answer yet).
    public var platformOffsetSeconds: Double?

    public init(trusted: Bool, state: String, detail: String, platformOffsetSeconds: Double? = nil) {
        self.trusted = trusted
        self.state = state
        self.detail = detail
        self.platformOffsetSeconds = platformOffsetSeconds
    }

    /// Before the first sample.
    public static let notYetSampled = ClockReport(trusted: false, state: "no-evidence", detail: "not sampled yet")

    public init(_ state: ClockTrust.State, platformOffset: TimeInterval?) {
        let offset = platformOffset.map { String(format: "%+.1f s", $0) }
        switch state {
        case .trusted(.kernelSynchronized):
            self.init(trusted: true, state: "kernel-synchronized", detail: "trusted: the kernel reports the clock synchronised (NTP)")
        case .trusted(.platformAgrees):
            self.init(trusted: true, state: "platform-agrees",
                      detail: "trusted: the platform's clock agrees\(offset.map { " (offset \($0))" } ?? "")")
        case .untrusted(.noEvidence):
            self.init(trusted: false, state: "no-evidence",
                      detail: "not yet trusted: no NTP status readable and no platform answer yet")
        case .untrusted(.unsynchronized):
            self.init(trusted: false, state: "unsynchronized",
                      detail: "not trusted: the kernel says nothing synchronises the clock, and the platform has not confirmed it")
        case .untrusted(.beforeBuildDate(let wall)):
            self.init(trusted: false, state: "before-build-date",
                      detail: "WRONG: the clock reads \(Self.format(wall)), before this build was made; evaluations made now are held, not sent")
        case .untrusted(.jumped(let seconds)):
            self.init(trusted: false, state: "jumped",
                      detail: "not trusted: the clock jumped by \(String(format: "%+.0f", seconds)) s; waiting for NTP or the platform to confirm it")
        case .untrusted(.platformDisagrees(let seconds)):
            self.init(trusted: false, state: "platform-disagrees",
                      detail: "WRONG: our clock differs from the platform's by \(String(format: "%+.0f", seconds)) s; evaluations are dated from the platform's clock until NTP is fixed (timedatectl)")
        }
        platformOffsetSeconds = platformOffset
    }

    public var description: String { detail }

    private static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }
}
