import EvalCore
import EvalUplink
import Foundation

/// `evalctl selftest`: sends one test evaluation through the real uplink path
/// (configuration → secret → adapter → signed HTTPS request → verdict) to the
/// configured platform, reporting each step, so a technician commissioning a
/// counter PC sees exactly which step fails.
public enum SelfTest {
    public struct Step: Sendable {
        public var name: String
        public var ok: Bool
        public var detail: String
    }

    /// The evaluation sent: 非常满意 from the first window, device
    /// `evalctl-selftest`, so the platform side can recognise and discard it.
    public static func testEvaluation(for configuration: AgentConfiguration, now: Date = Date()) -> Evaluation {
        let window = configuration.windows.first
        return Evaluation(
            satisfaction: .verySatisfied, assessedAt: now, pf: Channel(rawValue: window?.pf ?? 5),
            areaCode: window?.areaCode ?? "000000", deptCode: window?.deptCode, deptName: window?.deptName,
            hallCode: window?.hallCode, windowCode: window?.windowCode ?? "SELFTEST", deviceId: "evalctl-selftest",
            taskName: "evald selftest"
        )
    }

    public static func run(configuration: AgentConfiguration, report: (Step) -> Void) async -> Bool {
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

        let secret: AppSecret
        do {
            secret = try SecretLoader.load(file: uplink.appSecretFile, credentialName: uplink.appSecretCredential)
        } catch {
            return step("app secret", false, "\(error)")
        }
        _ = step("app secret", true, "loaded (\(uplink.appSecretFile ?? "systemd credential \(uplink.appSecretCredential)"))")

        let adapter = EvaldJSONAdapter(signer: RequestSigner(appKey: uplink.appKey, secret: secret),
                                       settings: .init(satisfactionScale: uplink.satisfactionScale, pfMap: uplink.pfMap))
        let evaluation = testEvaluation(for: configuration)
        let request: UplinkRequest
        do {
            request = try adapter.encode([evaluation], basePath: uplink.basePath,
                                         timestampMillis: Int64(Date().timeIntervalSince1970 * 1000), nonce: NonceGenerator().next())
        } catch {
            return step("encode and sign", false, "\(error)")
        }
        _ = step("encode and sign", true, "\(request.body.count) bytes, evaluationId \(evaluation.evaluationId)")

        let transport: HTTPUplinkTransport
        do {
            transport = try HTTPUplinkTransport(configuration: uplink)
        } catch {
            return step("TLS setup", false, "\(error) (check ca_file / client_cert_file / client_key_file)")
        }
        defer { Task { try? await transport.shutdown() } }
        let started = ContinuousClock.now
        let response: UplinkResponse
        do {
            response = try await transport.send(request)
        } catch {
            return step("HTTP request", false, "\(error) (network, DNS, TLS or firewall)")
        }
        let elapsed = ContinuousClock.now - started
        _ = step("HTTP request", true, "status \(response.status) in \(elapsed.formatted(.units(allowed: [.milliseconds])))")

        switch adapter.decode(response, batch: [evaluation.evaluationId]) {
        case .perRecord(let verdicts):
            switch verdicts.first {
            case .delivered?: return step("platform verdict", true, "accepted: the platform has the test evaluation")
            case .rejected(_, let reason)?: return step("platform verdict", false, "rejected: \(reason)")
            case nil: return step("platform verdict", false, "no verdict for the test record")
            }
        case .failure(let failure):
            let hint: String = switch failure {
            case .unauthorized: " — check app_key, the app secret and this PC's clock (±300 s)"
            case .malformedBatch, .tooLarge: " — the platform does not accept our records: check area_code, dept_code, the adapter"
            default: ""
            }
            return step("platform verdict", false, "\(failure)\(hint)")
        }
    }
}
