extension ScanRuleSet {
    /// Unsigned rules of a kind that another rule signs: a code of that kind
    /// in the unsigned rule's form is still taken without a signature (the
    /// shipped JSON staff and logout rules beside signed text rules). One
    /// line per such rule, for the daemon's start and `evalctl codes`.
    public var signingGaps: [String] {
        let signedKinds = Dictionary(rules.filter(\.signed).map { ($0.kind, $0.name) }, uniquingKeysWith: { first, _ in first })
        return rules.compactMap { rule in
            guard !rule.signed, let signed = signedKinds[rule.kind] else { return nil }
            return "scan rule \(rule.name) is not signed, but \(signed) of the same kind (\(rule.kind.rawValue)) is: "
                + "a \(rule.kind.rawValue) code in its form is taken without a signature (sign it or remove it)"
        }
    }
}
