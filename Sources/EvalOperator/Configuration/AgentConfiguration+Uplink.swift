import EvalPlatform
import Foundation

extension AgentConfiguration {
    /// `[platform]` → the uplink module's configuration.
    public var uplinkConfiguration: UplinkConfiguration {
        UplinkConfiguration(
            baseURL: platform.baseURL,
            adapter: platform.adapter,
            appKey: platform.appKey,
            appSecretFile: platform.appSecretFile,
            appSecretCredential: platform.appSecretCredential,
            caFile: platform.caFile,
            clientCertFile: platform.clientCertificateFile,
            clientKeyFile: platform.clientKeyFile,
            connectTimeout: .milliseconds(platform.connectTimeoutMillis),
            readTimeout: .milliseconds(platform.requestTimeoutMillis),
            batchSize: platform.batchSize,
            maxInFlight: platform.maxInFlightRequests,
            backoffBase: .milliseconds(platform.backoffBaseMillis),
            backoffCap: .milliseconds(platform.backoffCapMillis),
            satisfactionScale: platform.satisfactionScale == .oneIsBest ? .oneIsBest : .fiveIsBest,
            pfMap: platform.pfMap,
            uncertainTime: platform.uncertainTime
        )
    }
}
