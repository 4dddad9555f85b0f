import EvalCore

/// `evalctl devices learn`: turns the raw input of five prompted presses
/// (非常满意 first, 非常不满意 last) into a draft profile. A pure state machine:
/// the caller feeds raw input and performs the steps it returns (print a
/// prompt, write the profile), so it is tested without a device.
///
/// Keys (evdev): each button is the first key *press* heard after its prompt;
/// releases, auto-repeat and Ctrl/Alt/Shift/Meta are not buttons.
/// Reports (hidraw, libusb): a press is a report unlike the idle one, the
/// release is the report that follows it. The idle report is learnt from the
/// first release (or is the first report when that one is all zeros after the
/// report ID byte, as a keypad sending its state at open does). The draft reads
/// the first byte in which all five presses differ from idle and from each other.
public struct ProfileLearner: Sendable {
    public enum Source: Sendable, Hashable {
        case keys
        case reports(DeviceProfile.Backend)
    }

    public enum Step: Sendable, Hashable {
        /// Ask for this button: button 1 is 非常满意 … button 5 is 非常不满意.
        case prompt(button: Int, rating: Rating)
        /// The press heard for a button (`key code=3`, `report 0002`).
        case heard(button: Int, input: String)
        /// Input that is not taken as a button, and why (printed, then the prompt stands).
        case ignored(String)
        case finished(DeviceProfile)
        case failed(String)
    }

    /// The rating order asked for; button n of the draft is the n-th press.
    public static let order: [Rating] = [.verySatisfied, .satisfied, .basicallySatisfied, .dissatisfied, .veryDissatisfied]

    public let identity: DeviceIdentity
    public let source: Source
    public let interface: Int?

    private var keys: [UInt16] = []
    private var presses: [[UInt8]] = []
    private var idle: [UInt8]?
    /// A press report waiting for its release.
    private var held: [UInt8]?
    private var done = false

    public init(identity: DeviceIdentity, source: Source, interface: Int? = nil) {
        self.identity = identity
        self.source = source
        self.interface = interface
    }

    /// The first prompt.
    public func start() -> Step { .prompt(button: 1, rating: Self.order[0]) }

    /// Buttons learnt so far.
    public var learnt: Int {
        switch source {
        case .keys: keys.count
        case .reports: presses.count
        }
    }

    public mutating func feed(_ input: RawInput) -> [Step] {
        guard !done else { return [] }
        switch (source, input) {
        case (.keys, .key(let event)): return feedKey(event)
        case (.reports, .report(let bytes)): return feedReport(bytes)
        case (.keys, .report), (.reports, .key): return []
        }
    }

    private mutating func feedKey(_ event: KeyEvent) -> [Step] {
        guard event.action == .press else { return [] }
        if KeyCode.isShift(event.code) || KeyCode.isChordModifier(event.code) {
            return [.ignored("key code=\(event.code) is a modifier, not a button")]
        }
        if let earlier = keys.firstIndex(of: event.code) {
            return [.ignored("key code=\(event.code) is button \(earlier + 1) already")]
        }
        keys.append(event.code)
        return [.heard(button: keys.count, input: "key code=\(event.code)")] + next()
    }

    private mutating func feedReport(_ report: [UInt8]) -> [Step] {
        if source == .reports(.serial) {
            // A serial keypad: each burst of bytes is one press (no release report).
            if let earlier = presses.firstIndex(of: report) {
                return [.ignored("bytes \(Hex.bytes(report)) are button \(earlier + 1) already")]
            }
            presses.append(report)
            return [.heard(button: presses.count, input: "bytes \(Hex.bytes(report))")] + next()
        }
        if let pressed = held {
            if report == pressed { return [] }
            // Whatever follows a press is its release: the keypad's idle report.
            if let idle, report != idle {
                return [.ignored("report \(Hex.bytes(report)) while report \(Hex.bytes(pressed)) was held: release the button first")]
            }
            idle = report
            held = nil
            presses.append(pressed)
            return [.heard(button: presses.count, input: "report \(Hex.bytes(pressed))")] + next()
        }
        if report == idle { return [] }
        if idle == nil, presses.isEmpty, report.dropFirst().allSatisfy({ $0 == 0 }), report.count > 1 {
            idle = report
            return []
        }
        if let earlier = presses.firstIndex(of: report) {
            return [.ignored("report \(Hex.bytes(report)) is button \(earlier + 1) already")]
        }
        held = report
        return []
    }

    private mutating func next() -> [Step] {
        if learnt < Self.order.count { return [.prompt(button: learnt + 1, rating: Self.order[learnt])] }
        done = true
        switch draft() {
        case .success(let profile): return [.finished(profile)]
        case .failure(let reason): return [.failed(reason.message)]
        }
    }

    /// The draft: named and matched by VID:PID, buttons explicit (button 1 = 非常满意).
    func draft() -> Result<DeviceProfile, LearnError> {
        let name = "learnt-\(Hex.word(identity.vendorId))-\(Hex.word(identity.productId))"
        let match = DeviceMatch(vendorId: identity.vendorId, productId: identity.productId, interface: interface)
        var profile: DeviceProfile
        switch source {
        case .keys:
            profile = DeviceProfile(name: name, match: match, backend: .evdev, role: .keypad,
                                    keys: keys.enumerated().map { KeyBinding(code: $0.element, button: $0.offset + 1) })
        case .reports(.serial):
            switch SerialProfileDrafter.draft(presses: presses) {
            case .success(let layout):
                let serialMatch = identity.vendorId == 0 ? DeviceMatch()
                    : DeviceMatch(vendorId: identity.vendorId, productId: identity.productId, serial: identity.serial)
                profile = DeviceProfile(name: "learnt-serial-\(identity.lineId)", match: serialMatch, backend: .serial, role: .keypad, serial: layout)
            case .failure(let error):
                return .failure(error)
            }
        case .reports(let backend):
            guard let layout = layout() else {
                return .failure(LearnError("no single byte tells the five presses apart from idle (\(idle.map(Hex.bytes) ?? "?")) and from each other: "
                    + presses.map(Hex.bytes).joined(separator: ", ")))
            }
            profile = DeviceProfile(name: name, match: match, backend: backend, role: .keypad, report: layout)
        }
        profile.buttons = .buttonOneIsVerySatisfied
        let problems = profile.problems()
        guard problems.isEmpty else { return .failure(LearnError(problems.joined(separator: "; "))) }
        return .success(profile)
    }

    private func layout() -> ReportLayout? {
        guard let idle else { return nil }
        let reports = presses + [idle]
        let shortest = reports.map(\.count).min() ?? 0
        let offset = (0..<shortest).first { offset in
            let values = presses.map { $0[offset] }
            return !values.contains(idle[offset]) && Set(values).count == values.count
        }
        guard let offset else { return nil }
        let sameLength = Set(reports.map(\.count)).count == 1
        // A constant non-zero first byte ahead of the button byte is a report ID.
        let first = Set(reports.map { $0[0] })
        let reportId = offset > 0 && first.count == 1 && first.first != 0 ? first.first : nil
        return ReportLayout(length: sameLength ? shortest : nil, reportId: reportId, offset: offset,
                            values: presses.enumerated().map { ReportValue(value: $0.element[offset], button: $0.offset + 1) },
                            idleValue: idle[offset])
    }
}

public struct LearnError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
