/// One row of the report rollup: what happened on one day at one window, for
/// one staff member, department, service item and channel (issue 28). No
/// evaluator identity: the labels name the window's side only.
///
/// The store keeps these for years (`rollup_daily`); `evalctl report --json`
/// carries them between counter PCs, and the report is computed from them alone.
public struct RollupRow: Sendable, Hashable, Codable {
    public struct Key: Sendable, Hashable, Codable, Comparable {
        public var day: CivilDate
        public var windowCode: String
        /// "" when nobody was named.
        public var staffLogin: String
        public var deptCode: String
        public var taskCode: String
        /// The channel; 0 when unknown (filtered presses).
        public var pf: Int

        public init(day: CivilDate, windowCode: String, staffLogin: String = "", deptCode: String = "", taskCode: String = "", pf: Int = 0) {
            self.day = day
            self.windowCode = windowCode
            self.staffLogin = staffLogin
            self.deptCode = deptCode
            self.taskCode = taskCode
            self.pf = pf
        }

        public static func < (a: Key, b: Key) -> Bool {
            (a.day, a.windowCode, a.staffLogin, a.deptCode, a.taskCode, a.pf) < (b.day, b.windowCode, b.staffLogin, b.deptCode, b.taskCode, b.pf)
        }
    }

    /// What the store counted.
    public struct Counts: Sendable, Hashable, Codable {
        /// Services given: cases opened by scan or through the counter API,
        /// plus citizens' ratings of no case (a service nobody scanned).
        public var served = 0
        /// Active first ratings per level: index 0 = 非常满意 (5) … 4 = 非常不满意 (1).
        public var active = [0, 0, 0, 0, 0]
        public var defaults = 0
        public var followUps = 0
        public var filtered = 0
        public var bad = 0
        /// Real-name bad reviews not verified as mistaken or malicious.
        public var callBacksNeeded = 0
        public var rectified = 0
        public var calledBack = 0
        public var overdue = 0
        public var mistaken = 0
        public var malicious = 0
        /// Of `defaults`, those of cases whose window had no evaluator online
        /// while they were open: "nobody could rate", not "nobody rated".
        public var defaultsEvaluatorOffline = 0

        public init() {}

        public var activeTotal: Int { active.reduce(0, +) }

        public func active(_ rating: Rating) -> Int { active[5 - rating.rawValue] }

        public static func + (a: Counts, b: Counts) -> Counts {
            var sum = a
            sum += b
            return sum
        }

        public static func += (a: inout Counts, b: Counts) {
            a.served += b.served
            a.active.withUnsafeMutableBufferPointer { mine in
                b.active.withUnsafeBufferPointer { theirs in for i in 0..<min(mine.count, theirs.count) { mine[i] += theirs[i] } }
            }
            a.defaults += b.defaults
            a.followUps += b.followUps
            a.filtered += b.filtered
            a.bad += b.bad
            a.callBacksNeeded += b.callBacksNeeded
            a.rectified += b.rectified
            a.calledBack += b.calledBack
            a.overdue += b.overdue
            a.mistaken += b.mistaken
            a.malicious += b.malicious
            a.defaultsEvaluatorOffline += b.defaultsEvaluatorOffline
        }
    }

    public var key: Key
    public var hallCode: String?
    public var staffName: String?
    public var deptName: String?
    public var taskName: String?
    public var counts: Counts

    public init(key: Key, hallCode: String? = nil, staffName: String? = nil, deptName: String? = nil, taskName: String? = nil,
                counts: Counts = Counts()) {
        self.key = key
        self.hallCode = hallCode
        self.staffName = staffName
        self.deptName = deptName
        self.taskName = taskName
        self.counts = counts
    }
}
