/// Everything an evaluation from one counter window carries besides the press
/// itself. The agent's configuration (TOML) maps into this; the session copies
/// it into every evaluation it emits.
public struct WindowConfiguration: Hashable, Sendable, Codable {
    /// Administrative division code (行政区划), 6–12 digits.
    public var areaCode: String
    /// Unified social credit code of the department (18 characters).
    public var deptCode: String?
    public var deptName: String?
    public var hallCode: String?
    public var windowCode: String
    /// Who is rated when no staff member has scanned a badge.
    public var defaultStaff: StaffMember?
    /// The service item (事项) rated when no case is scanned, if the window has one.
    public var defaultTaskCode: String?
    public var defaultTaskName: String?
    public var pf: Channel
    /// The window's national fields (`version`, `evaversion`, `taskType`,
    /// `promisetime`, `dataSource`: `NationalField.windowFields`), under the case's own.
    public var national: NationalFields?
    /// The keypad reason step for bad reviews; nil: none (`ReasonStep`).
    public var reasonStep: ReasonStep?

    public init(
        areaCode: String,
        deptCode: String? = nil,
        deptName: String? = nil,
        hallCode: String? = nil,
        windowCode: String,
        defaultStaff: StaffMember? = nil,
        defaultTaskCode: String? = nil,
        defaultTaskName: String? = nil,
        pf: Channel = .otherHallTerminal,
        national: NationalFields? = nil,
        reasonStep: ReasonStep? = nil
    ) {
        self.areaCode = areaCode
        self.deptCode = deptCode
        self.deptName = deptName
        self.hallCode = hallCode
        self.windowCode = windowCode
        self.defaultStaff = defaultStaff
        self.defaultTaskCode = defaultTaskCode
        self.defaultTaskName = defaultTaskName
        self.pf = pf
        self.national = national.flatMap { $0.isEmpty ? nil : $0 }
        self.reasonStep = reasonStep
    }
}

extension WindowConfiguration {
    /// The service item (事项) an evaluation names: the case's own code and
    /// name when it has a code; otherwise the window's default code, with the
    /// case's name if it gave one (a case's name is never mixed with the
    /// window's default code when the case has a code of its own).
    public func task(of ticket: CaseTicket?) -> (code: String?, name: String?) {
        if let code = ticket?.taskCode { return (code, ticket?.taskName) }
        return (defaultTaskCode, ticket?.taskName ?? defaultTaskName)
    }

    /// The national fields an evaluation of `ticket` carries: the case's,
    /// each unset one from the window's; nil when neither sets any.
    public func national(of ticket: CaseTicket?) -> NationalFields? {
        let merged = (ticket?.national ?? NationalFields()).over(national ?? NationalFields())
        return merged.isEmpty ? nil : merged
    }
}
