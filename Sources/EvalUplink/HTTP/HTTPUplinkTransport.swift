import AsyncHTTPClient
import EvalPlatform
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The production transport: one AsyncHTTPClient with a connection pool (so
/// a backlog drains over a few kept-alive connections), TLS verification on,
/// optional private CA and client certificate.
public final class HTTPUplinkTransport: UplinkTransport {
    private let client: HTTPClient
    /// One event loop thread of its own: a few requests in flight to one host
    /// need no more, and the default singleton group starts one per core.
    private let eventLoopGroup: MultiThreadedEventLoopGroup
    private let baseURL: String
    private let requestTimeout: TimeAmount
    /// A body larger than this is not a platform answer we want to parse.
    private let maxResponseBytes = 4 << 20

    public init(configuration: UplinkConfiguration) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .fullVerification
        if let caFile = configuration.caFile {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        }
        if let certFile = configuration.clientCertFile, let keyFile = configuration.clientKeyFile {
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certFile).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
        }
        let connect = TimeAmount.nanoseconds(Self.nanoseconds(configuration.connectTimeout))
        let read = TimeAmount.nanoseconds(Self.nanoseconds(configuration.readTimeout))
        var clientConfiguration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            timeout: .init(connect: connect, read: read),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(configuration.maxInFlight, 1)),
            decompression: .disabled
        )
        clientConfiguration.httpVersion = .automatic
        eventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        client = HTTPClient(eventLoopGroupProvider: .shared(eventLoopGroup), configuration: clientConfiguration)
        var base = configuration.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        baseURL = base
        requestTimeout = connect + read
    }

    public func send(_ request: UplinkRequest) async throws -> UplinkResponse {
        var http = HTTPClientRequest(url: baseURL + request.relativePath)
        http.method = .POST
        for field in request.headers { http.headers.add(name: field.name, value: field.value) }
        http.body = .bytes(request.body)
        let response = try await client.execute(http, timeout: requestTimeout)
        let body = try await response.body.collect(upTo: maxResponseBytes)
        return UplinkResponse(
            status: Int(response.status.code),
            headers: response.headers.map { HeaderField($0.name, $0.value) },
            body: Array(buffer: body)
        )
    }

    /// Closes the pool, then stops the event loop thread. A second call is harmless.
    public func shutdown() async throws {
        var failure: (any Error)?
        do { try await client.shutdown() } catch { if !Self.isAlreadyShutdown(error) { failure = error } }
        try? await eventLoopGroup.shutdownGracefully()
        if let failure { throw failure }
    }

    private static func isAlreadyShutdown(_ error: any Error) -> Bool {
        (error as? HTTPClientError) == .alreadyShutdown
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
