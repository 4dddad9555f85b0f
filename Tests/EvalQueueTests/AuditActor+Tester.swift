import EvalQueue

extension AuditActor {
    /// The operator of tests that repair a queue without testing the audit trail itself.
    static let tester = AuditActor(uid: 1000, name: "tester", via: .evalctl)
}
