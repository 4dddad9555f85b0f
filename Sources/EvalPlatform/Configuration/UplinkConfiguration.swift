import EvalCore
import Foundation

/// The `[uplink]` section of the agent configuration. The secret itself is not
/// here, only where to find it (see `SecretLoader`).
public struct UplinkConfiguration: Sendable, Hashable {
    /// e.g. `https://platform.example.gov.cn/api/v1`; the simulator's is `http://127.0.0.1:PORT/api/v1`.
    public var baseURL: String
    /// `evald-json/1` (built in) or the absolute path of an adapter definition (config/adapters/*.json).
    public var adapter: String
    public var appKey: String
    public var appSecretFile: String?
    public var appSecretCredential: String
    /// PEM bundle of CAs to trust instead of the system store.
    public var caFile: String?
    /// PEM client certificate chain and key for mutual TLS.
    public var clientCertFile: String?
    public var clientKeyFile: String?
    public var connectTimeout: Duration
    public var readTimeout: Duration
    /// Records per request, 1…100.
    public var batchSize: Int
    /// Requests in flight at once while a backlog drains.
    public var maxInFlight: Int
    public var backoffBase: Duration
    public var backoffCap: Duration
    public var satisfactionScale: SatisfactionScale
    public var pfMap: [Int: Int]
    /// Evaluations from an earlier boot that never had a trusted clock: held or sent as stamped.
    public var uncertainTime: AssessTimeCheck.UncertainPolicy

    public init(
        baseURL: String,
        adapter: String = EvaldJSONAdapter.protocolName,
        appKey: String,
        appSecretFile: String? = nil,
        appSecretCredential: String = SecretLoader.defaultCredentialName,
        caFile: String? = nil,
        clientCertFile: String? = nil,
        clientKeyFile: String? = nil,
        connectTimeout: Duration = .seconds(5),
        readTimeout: Duration = .seconds(15),
        batchSize: Int = 100,
        maxInFlight: Int = 4,
        backoffBase: Duration = .seconds(1),
        backoffCap: Duration = .seconds(300),
        satisfactionScale: SatisfactionScale = .fiveIsBest,
        pfMap: [Int: Int] = [:],
        uncertainTime: AssessTimeCheck.UncertainPolicy = .hold
    ) {
        self.baseURL = baseURL
        self.adapter = adapter
        self.appKey = appKey
        self.appSecretFile = appSecretFile
        self.appSecretCredential = appSecretCredential
        self.caFile = caFile
        self.clientCertFile = clientCertFile
        self.clientKeyFile = clientKeyFile
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.batchSize = batchSize
        self.maxInFlight = maxInFlight
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
        self.satisfactionScale = satisfactionScale
        self.pfMap = pfMap
        self.uncertainTime = uncertainTime
    }

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// Checks what can be checked without I/O; every message names the key.
    public func validate() throws {
        guard let url = URL(string: baseURL), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            throw Invalid(description: "uplink.base_url must be an http(s) URL, got '\(baseURL)'")
        }
        guard adapter == EvaldJSONAdapter.protocolName || adapter.hasPrefix("/") else {
            throw Invalid(description: "uplink.adapter '\(adapter)' is neither \(EvaldJSONAdapter.protocolName) nor the absolute path of an adapter definition")
        }
        guard !appKey.isEmpty else { throw Invalid(description: "uplink.app_key is empty") }
        guard (1...EvaldJSONAdapter.maxBatchSize).contains(batchSize) else {
            throw Invalid(description: "uplink.batch_size must be 1…\(EvaldJSONAdapter.maxBatchSize), got \(batchSize)")
        }
        guard (1...64).contains(maxInFlight) else { throw Invalid(description: "uplink.max_in_flight must be 1…64, got \(maxInFlight)") }
        guard (clientCertFile == nil) == (clientKeyFile == nil) else {
            throw Invalid(description: "uplink.client_cert_file and uplink.client_key_file go together")
        }
        guard backoffBase > .zero, backoffCap >= backoffBase else {
            throw Invalid(description: "uplink.backoff_base must be > 0 and ≤ uplink.backoff_cap")
        }
        // Plain http is allowed (loopback, provincial intranets behind a VPN): the
        // signature protects integrity there, not confidentiality.
    }

    /// The path part of the base URL (`/api/v1`), which the signature covers.
    public var basePath: String { URL(string: baseURL)?.path ?? "" }
}
