import EvalCore
import EvalPlatform
import Foundation

/// `evalctl selftest`: checks the uplink path a technician commissions —
/// configuration, app secret, name resolution, TCP, TLS, credentials — and
/// reports each step, so the failing one is plain.
///
/// By default it sends **no evaluation**: per `evald-json/1` the platform
/// checks authentication before the body, so an authenticated request with an
/// empty `evaluations` array must be answered 400 and the same request with a
/// deliberately wrong signature 401. Together they prove the platform knows
/// our app key and secret without a rating landing in any window's statistics.
/// `.sendTestEvaluation` (evalctl asks for confirmation) also sends one real
/// test evaluation.
///
/// The requests go through a `TransportFactory` the caller hands in: this
/// module links no network stack (docs/DESIGN.md). evald gives it the HTTP
/// transport of EvalUplink, and the development `evalctl` binary hands
/// `selftest` to the `evald` beside it.
public enum SelfTest {
    /// Makes the transport for `[platform]`; a throw is reported as the TLS setup step.
    public typealias TransportFactory = @Sendable (UplinkConfiguration) throws -> any UplinkTransport

    public struct Step: Sendable {
        public var name: String
        public var ok: Bool
        public var detail: String
    }

    public enum Mode: Sendable {
        case credentialsOnly
        case sendTestEvaluation
    }

    /// The evaluation sent with `.sendTestEvaluation`: 非常满意 from the first
    /// window, device `evalctl-selftest`, so the platform side can recognise
    /// and discard it.
    public static func testEvaluation(for configuration: AgentConfiguration, now: Date = Date()) -> Evaluation {
        let window = configuration.windows.first
        return Evaluation(
            satisfaction: .verySatisfied, assessedAt: now, pf: Channel(rawValue: window?.pf ?? 5),
            areaCode: window?.areaCode ?? "000000", deptCode: window?.deptCode, deptName: window?.deptName,
            hallCode: window?.hallCode, windowCode: window?.windowCode ?? "SELFTEST", deviceId: "evalctl-selftest",
            taskName: "evald selftest"
        )
    }

    public static func run(configuration: AgentConfiguration, mode: Mode = .credentialsOnly,
                           environment: [String: String] = ProcessInfo.processInfo.environment,
                           transport makeTransport: TransportFactory,
                           report: (Step) -> Void) async -> Bool {
        let uplink = configuration.uplinkConfiguration
        func step(_ name: String, _ ok: Bool, _ detail: String) -> Bool {
            report(Step(name: name, ok: ok, detail: detail))
            return ok
        }
        do {
            try uplink.validate()
        } catch {
            return step("configuration", false, "\(error)")
        }
        guard step("configuration", true, "\(uplink.adapter) → \(uplink.baseURL) as app_key \(uplink.appKey)") else { return false }

        // Exactly as evald: app_secret_file, else the systemd credential.
        let source = AppSecretSource(platform: configuration.platform, environment: environment)
        let secret: AppSecret
        do {
            secret = try source.load()
        } catch {
            return step("app secret", false, error.description)
        }
        _ = step("app secret", true, "read from \(source)")

        guard let endpoint = SelfTestEndpoint(baseURL: uplink.baseURL) else {
            return step("name resolution", false, "no host in base_url \(uplink.baseURL)")
        }
        let addresses: [SelfTestEndpoint.Address]
        do {
            addresses = try endpoint.resolve()
        } catch {
            return step("name resolution", false, "\(error) (check base_url and /etc/resolv.conf)")
        }
        _ = step("name resolution", true, "\(endpoint.host) → \(addresses.map(\.text).joined(separator: ", "))")

        let timeoutMillis = configuration.platform.connectTimeoutMillis
        do {
            let reached = try endpoint.reach(addresses, timeoutMillis: timeoutMillis)
            _ = step("TCP connect", true, "\(reached.text) port \(endpoint.port)")
        } catch {
            return step("TCP connect", false, "\(error) (firewall, proxy or platform down)")
        }

        let transport: any UplinkTransport
        do {
            transport = try makeTransport(uplink)
        } catch {
            return step("TLS setup", false, "\(error) (check ca_file / client_cert_file / client_key_file)")
        }
        defer { Task { try? await transport.shutdown() } }
        let probe = CredentialProbe(adapter: uplink.adapter, appKey: uplink.appKey, secret: secret, basePath: uplink.basePath)

        // 1. Authenticated, empty: 400 means the platform accepted our key and signature.
        let authenticated: UplinkResponse
        do {
            guard let request = try probe.request(signedCorrectly: true) else { return step("adapter", false, "no probe request") }
            authenticated = try await transport.send(request)
        } catch {
            let layer = endpoint.isTLS ? "TLS handshake or HTTP request" : "HTTP request"
            return step(endpoint.isTLS ? "TLS and HTTP" : "HTTP", false, "\(layer) failed: \(error)")
        }
        _ = step(endpoint.isTLS ? "TLS and HTTP" : "HTTP", true,
                 endpoint.isTLS ? "TLS handshake done, HTTP status \(authenticated.status)" : "HTTP status \(authenticated.status) (no TLS: http:// base_url)")
        switch authenticated.status {
        case 400: _ = step("credentials", true, "an authenticated request with no evaluations was answered 400, as \(uplink.adapter) says")
        case 401: return step("credentials", false, "401: the platform refuses app_key \(uplink.appKey) or the app secret, or this PC's clock is more than 300 s off")
        default: return step("credentials", false, "status \(authenticated.status) for an empty batch; evald-json/1 and platform-sim answer 400 (is base_url the platform's endpoint for \(uplink.adapter)?)")
        }

        // 2. The same with a wrong signature: 401 proves the 400 above was not a platform that ignores signatures.
        do {
            if let wrong = try probe.request(signedCorrectly: false) {
                let refused = try await transport.send(wrong)
                guard refused.status == 401 else {
                    return step("signature check", false, "a wrong signature was answered \(refused.status), not 401: the platform does not check signatures")
                }
                _ = step("signature check", true, "a wrong signature was refused with 401")
            } else {
                _ = step("signature check", true, "skipped: an sm2-sm3 signature cannot be forged without a second SM2 key")
            }
        } catch {
            return step("signature check", false, "\(error)")
        }

        guard case .sendTestEvaluation = mode else { return true }
        return await sendTestEvaluation(configuration: configuration, secret: secret, transport: transport, step: step)
    }

    private static func sendTestEvaluation(
        configuration: AgentConfiguration, secret: AppSecret, transport: any UplinkTransport,
        step: (String, Bool, String) -> Bool
    ) async -> Bool {
        let uplink = configuration.uplinkConfiguration
        let evaluation = testEvaluation(for: configuration)
        let response: UplinkResponse
        // The adapter the daemon uses: the built-in evald-json/1 or the province's definition.
        let adapter: DefinedAdapter
        do {
            adapter = try DefinedAdapter(definition: try AdapterDefinition.resolve(uplink.adapter), appKey: uplink.appKey, secret: secret,
                                         settings: .init(satisfactionScale: uplink.satisfactionScale, pfMap: uplink.pfMap))
            let request = try adapter.encode([evaluation], basePath: uplink.basePath,
                                             timestampMillis: Int64(Date().timeIntervalSince1970 * 1000), nonce: NonceGenerator().next())
            response = try await transport.send(request)
        } catch {
            return step("test evaluation", false, "\(error)")
        }
        switch adapter.decode(response, batch: [evaluation.evaluationId]) {
        case .perRecord(let verdicts):
            switch verdicts.first {
            case .delivered?: return step("test evaluation", true, "accepted: evaluationId \(evaluation.evaluationId), window \(evaluation.windowCode)")
            case .rejected(_, let reason)?: return step("test evaluation", false, "rejected: \(reason) (check area_code, dept_code, the adapter)")
            case nil: return step("test evaluation", false, "no verdict for the test record")
            }
        case .failure(let failure):
            return step("test evaluation", false, "\(failure)")
        }
    }
}

/// The two requests that test the credentials without a record: the
/// configured adapter's empty batch (its clock probe), signed with our secret
/// and with one that is certainly not ours.
struct CredentialProbe {
    var adapter: String
    var appKey: String
    var secret: AppSecret
    var basePath: String

    /// nil when a wrong signature cannot be made without a second key (sm2-sm3).
    func request(signedCorrectly: Bool) throws -> UplinkRequest? {
        let definition = try AdapterDefinition.resolve(adapter)
        if !signedCorrectly, definition.signature?.algorithm == .sm2SM3 { return nil }
        let key = signedCorrectly ? secret : AppSecret("evalctl selftest: not the secret")
        return try DefinedAdapter(definition: definition, appKey: appKey, secret: key)
            .clockProbe(basePath: basePath, timestampMillis: Int64(Date().timeIntervalSince1970 * 1000), nonce: NonceGenerator().next())
    }
}
