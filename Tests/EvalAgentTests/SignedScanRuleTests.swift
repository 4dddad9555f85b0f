import EvalAgent
import EvalCore
import EvalOperator
import EvalTesting
import Foundation
import Testing

/// Issue 24 item 6: a `signed` rule takes only codes carrying the hall key's
/// HMAC; unsigned and tampered ones are refused as `unsigned-code`. Real
/// parts: swift-crypto's HMAC-SHA256 through `HMACCodeAuthenticator`, the
/// shipped rule texts, the configuration loader and a key file on disk.
@Suite("Signed scan rules")
struct SignedScanRuleTests {
    static let key = Array("evald-test-code-key-32-bytes-!!!".utf8)
    static let authenticator = HMACCodeAuthenticator(key: key)

    /// The shipped staff and logout rules, signed, then the shipped rest unsigned.
    static func rules(authenticator: (any CodeAuthenticator)? = Self.authenticator) throws -> ScanRuleSet {
        let shipped = try ScanRuleSet.decode(json: Data(contentsOf: DocsConfigurationDriftTests.repository.appendingPathComponent("config/scan-rules.json")))
        let signed = try shipped.rules.map { rule in
            try ScanRule(name: rule.name, kind: rule.kind, form: rule.form, signed: rule.kind == .staffLogin || rule.kind == .staffLogout)
        }
        return ScanRuleSet(rules: signed, codeAuthenticator: authenticator)
    }

    static func rejection(_ classification: ScanClassification) -> ScanRejection? {
        if case .ignored(let rejection) = classification { return rejection }
        return nil
    }

    @Test func theAuthenticatorIsHMACSHA256() {
        // RFC 4231, test case 2.
        let code = HMACCodeAuthenticator(key: Array("Jefe".utf8)).authenticationCode(for: Array("what do ya want for nothing?".utf8))
        #expect(Hex.encode(code) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func aSignedRuleTakesACorrectlySignedBadge() throws {
        let rules = try Self.rules()
        let badge = CounterCode.staff(loginName: "lisi", name: "李四").signed(with: Self.authenticator)
        let full = Self.authenticator.authenticationCode(for: Array("STAFF:lisi:李四".utf8))
        #expect(badge == "STAFF:lisi:李四~" + Hex.encode(Array(full.prefix(8))), "16 hex digits: the first 8 bytes of the HMAC")
        #expect(rules.classify(badge) == .recognized(.staffLogin(StaffMember(loginName: "lisi", name: "李四")), rule: "staff-badge-code"))
        // A scanner typing capitals (caps lock) still reads the same signature.
        let (body, signature) = CodeSignature.split(badge)
        #expect(rules.classify(String(body) + "~" + signature!.uppercased()) == rules.classify(badge))
        let logout = CounterCode.logout(loginName: nil).signed(with: Self.authenticator)
        #expect(rules.classify(logout) == .recognized(.staffLogout(loginName: nil), rule: "staff-logout-code"))
    }

    @Test func unsignedAndTamperedCodesAreRefusedAsUnsignedCode() throws {
        let rules = try Self.rules()
        let badge = CounterCode.staff(loginName: "lisi", name: "李四").signed(with: Self.authenticator)
        let signature = String(badge.split(separator: "~").last!)
        let changed = String(signature.dropLast()) + (signature.last == "0" ? "1" : "0")
        let other = HMACCodeAuthenticator(key: Array("another-hall-key-of-32-bytes!!!!".utf8))
        let refused: [String: String] = [
            "STAFF:lisi:李四": "no signature (a citizen's phone showing the plain text)",
            "LOGOUT": "a plain logout",
            "STAFF:wangwu:王五~\(signature)": "someone else's name under lisi's signature",
            "STAFF:lisi:李四~\(changed)": "a changed signature digit",
            "STAFF:lisi:李四~\(signature.prefix(8))": "a truncated signature",
            "STAFF:lisi:李四~": "an empty signature",
            "STAFF:lisi:李四~zzzzzzzzzzzzzzzz": "not hex",
            CounterCode.staff(loginName: "lisi", name: "李四").signed(with: other): "another hall's key",
        ]
        for (payload, why) in refused {
            let rejection = Self.rejection(rules.classify(payload))
            let rule = payload.hasPrefix("LOGOUT") ? "staff-logout-code" : "staff-badge-code"
            #expect(rejection?.reason == .badSignature(rule: rule), "\(why): \(payload)")
            #expect(rejection?.label == "unsigned-code", "\(why)")
            // Logged masked: the first four characters and the length, never the code.
            #expect(rejection?.description.contains("lisi") == false, "\(why): \(String(describing: rejection))")
        }
        // A signed rule decides: the JSON staff rule after it is signed too, and
        // an unsigned code never falls through to a later rule.
        #expect(Self.rejection(rules.classify(#"{"type":"staff","loginName":"lisi"}"#))?.reason == .badSignature(rule: "staff-badge-json"))
    }

    @Test func unsignedRulesOfASignedKindAreNamed() throws {
        #expect(try Self.rules().signingGaps.isEmpty, "staff and logout: every rule of the kind signed")
        let shipped = try ScanRuleSet.decode(json: Data(contentsOf: DocsConfigurationDriftTests.repository.appendingPathComponent("config/scan-rules.json")))
        #expect(shipped.signingGaps.isEmpty, "nothing signed")
        let half = ScanRuleSet(rules: try shipped.rules.map { try ScanRule(name: $0.name, kind: $0.kind, form: $0.form, signed: $0.name == "staff-badge-code") })
        #expect(half.signingGaps.count == 1)
        #expect(half.signingGaps.first?.hasPrefix("scan rule staff-badge-json is not signed, but staff-badge-code") == true)
    }

    @Test func withoutAKeyASignedRuleRefusesEverything() throws {
        let rules = try Self.rules(authenticator: nil)
        let badge = CounterCode.staff(loginName: "lisi", name: nil).signed(with: Self.authenticator)
        #expect(Self.rejection(rules.classify(badge))?.reason == .badSignature(rule: "staff-badge-code"))
    }

    @Test func unsignedRulesBehaveAsBefore() throws {
        let rules = try Self.rules()
        let shipped = try ScanRuleSet.decode(json: Data(contentsOf: DocsConfigurationDriftTests.repository.appendingPathComponent("config/scan-rules.json")))
        for payload in ["2026030200001", "MS-2026-1204-000001", "https://x.example.cn/r?projectNo=MS-2026-1", "11010519491231002X", "hello"] {
            #expect(rules.classify(payload) == shipped.classify(payload), "\(payload)")
        }
        // A `~` in an unsigned rule's payload is only text.
        #expect(shipped.classify("STAFF:lisi:李四~0011223344556677") == .recognized(.staffLogin(StaffMember(loginName: "lisi", name: "李四~0011223344556677")), rule: "staff-badge-code"))
    }

    @Test func signaturesAreComparedInConstantTime() {
        // ConstantTime.equal is what isAuthentic compares with: it ORs the
        // differences of every byte pair and never returns early on a mismatch.
        let a: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
        #expect(ConstantTime.equal(a, a))
        #expect(!ConstantTime.equal(a, [0, 2, 3, 4, 5, 6, 7, 8]), "first byte differs")
        #expect(!ConstantTime.equal(a, [1, 2, 3, 4, 5, 6, 7, 9]), "last byte differs")
        #expect(!ConstantTime.equal(a, Array(a.prefix(7))), "length differs")
        #expect(!ConstantTime.equal([], a))
        #expect(ConstantTime.equal([], []))
    }

    @Test func theKeyFileIsReadLikeTheAppSecretAndGuarded() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let keyPath = dir.path("code-key")
        var keyBytes = Self.key
        keyBytes[31] = 0x0A  // a binary key may end in a newline byte: it is kept
        try Data(keyBytes).write(to: URL(fileURLWithPath: keyPath))
        chmod(keyPath, 0o640)
        #expect(try CodeKeySource(path: keyPath).load() == keyBytes)

        let rulesPath = dir.path("rules.json")
        try Data(#"{"rules":[{"name":"badge","kind":"staff","signed":true,"regex":"STAFF:(?<loginName>[a-z]+)"}]}"#.utf8)
            .write(to: URL(fileURLWithPath: rulesPath))
        let platform = "[platform]\nbase_url = \"https://platform.example.cn/api/v1\"\napp_key = \"k\"\n"
        let toml = platform + """
        [sessions]
        scan_rules_file = "\(rulesPath)"
        code_key_file = "\(keyPath)"
        """
        let configuration = try ConfigurationLoader.parse(text: toml).get()
        #expect(configuration.sessions.codeKeyFile == keyPath)
        let rules = try configuration.scanRules()
        let badge = CodeSignature.sign("STAFF:lisi", with: HMACCodeAuthenticator(key: keyBytes))
        #expect(rules.classify(badge) == .recognized(.staffLogin(StaffMember(loginName: "lisi", name: "lisi")), rule: "badge"))

        // World-readable: refused, with the fix.
        chmod(keyPath, 0o644)
        #expect(CodeKeySource(path: keyPath).issue()?.message.contains("chmod 0640") == true)
        #expect(throws: DaemonError.self) { try configuration.scanRules() }
        chmod(keyPath, 0o640)
        // Too short, or missing.
        try Data("short".utf8).write(to: URL(fileURLWithPath: keyPath))
        #expect(CodeKeySource(path: keyPath).issue()?.message.contains("at least 16") == true)
        #expect(CodeKeySource(path: dir.path("none")).issue()?.message.contains("head -c 32 /dev/urandom") == true)
        // A signed rule without a key is a configuration error, not a silent refusal of every badge.
        let keyless = try ConfigurationLoader.parse(text: platform + "[sessions]\nscan_rules_file = \"\(rulesPath)\"").get()
        #expect(throws: DaemonError.self) { try keyless.scanRules() }
        #expect(!ConfigurationLoader.parse(text: platform + "[sessions]\ncode_key_file = \"relative\"").errors.isEmpty)
    }

    /// The pipeline counts every ignored scan by `rejection.label`.
    @Test func theMetricAlwaysShowsUnsignedCodes() async throws {
        let metrics = AgentMetrics()
        #expect(await metrics.render().contains(#"evald_scans_ignored_total{reason="unsigned-code"} 0"#))
        let rejection = try #require(Self.rejection(try Self.rules().classify("LOGOUT")))
        metrics.recordScanIgnored(reason: rejection.label)
        #expect(await metrics.render().contains(#"evald_scans_ignored_total{reason="unsigned-code"} 1"#))
    }
}
