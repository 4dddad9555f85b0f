extension ScanRule {
    /// What a rule makes of a payload it applies to.
    enum Match {
        case fields([ScanField: String])
        /// A signed rule's form applied, but the signature is missing or wrong.
        case badSignature
    }

    /// nil when the rule does not apply. A signed rule applies its form to the
    /// text before the last `~` and then requires that text's signature.
    func match(_ payload: String, authenticator: (any CodeAuthenticator)?) -> Match? {
        guard signed else { return extract(payload).map(Match.fields) }
        let (body, signature) = CodeSignature.split(payload)
        guard let fields = extract(String(body)) else { return nil }
        guard let authenticator, CodeSignature.isAuthentic(body: body, signature: signature, with: authenticator) else {
            return .badSignature
        }
        return .fields(fields)
    }
}
