/// Sends one request and returns whatever HTTP answer came back. Transport
/// failures (connect/read timeout, reset, TLS) are thrown; the forwarder
/// turns them into `BatchFailure.transport`.
public protocol UplinkTransport: Sendable {
    func send(_ request: UplinkRequest) async throws -> UplinkResponse
    func shutdown() async throws
}
