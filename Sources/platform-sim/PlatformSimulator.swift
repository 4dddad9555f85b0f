import ArgumentParser
import EvalPlatform
import EvalUplink
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `platform-sim`: a provincial platform speaking `evald-json/1`, for
/// commissioning an agent on site and as the platform in tests.
@main
struct PlatformSimulator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "platform-sim",
        abstract: "A provincial evaluation platform speaking evald-json/1, with injectable faults.",
        discussion: """
        Serves POST /api/v1/evaluations (base_url http://HOST:PORT/api/v1; with --adapter, \
        POST /api/v1 + the definition's endpoint, in its envelope, signing and answers), GET /stats, \
        GET /evaluations (unique ids), GET and POST /faults (JSON, replaces all faults).
        Prints "listening on HOST:PORT" as its first line once it accepts connections.
        """
    )

    @Option(help: "Port to listen on; 0 picks a free one.") var port: Int = 8080
    @Option(help: "Address to bind.") var host: String = "127.0.0.1"
    @Option(help: "The app key agents must send.") var appKey: String = "evald-test"
    @Option(help: "File holding the app secret (never pass secrets on the command line).") var appSecretFile: String
    @Option(help: "An adapter definition file (config/adapters/*.json) to play instead of evald-json/1.") var adapter: String?
    @Option(help: "The agent's SM2 public key (PEM), for definitions signing with sm2-sm3.") var sm2PublicKey: String?
    @Option(help: "Append accepted evaluations to this JSON-lines file and reload its ids at start (default: memory only).")
    var store: String?

    @Option(name: .customLong("error-rate"), help: "STATUS=RATE, e.g. 500=0.2 (repeatable).") var errorRates: [String] = []
    @Option(help: "Milliseconds added to every answer.") var latencyMs: Int = 0
    @Option(help: "Fraction of requests whose connection is dropped after storing the batch.") var dropRate: Double = 0
    @Option(help: "Fraction of requests answered 429.") var throttleRate: Double = 0
    @Option(help: "Retry-After seconds sent with 429.") var retryAfter: Int = 1
    @Option(help: "Fraction of valid records rejected.") var rejectRate: Double = 0
    @Option(help: "FIELD=VALUE: reject records whose field has this value.") var rejectField: String?
    @Option(help: "Fraction of requests answered 200 with a garbage body (after storing).") var garbageRate: Double = 0

    func run() async throws {
        let secret = try SecretLoader.load(file: appSecretFile)
        var faults = Faults()
        for entry in errorRates {
            let parts = entry.split(separator: "=")
            guard parts.count == 2, Int(parts[0]) != nil, let rate = Double(parts[1]) else {
                throw ValidationError("--error-rate wants STATUS=RATE, got \(entry)")
            }
            faults.errorRates[String(parts[0])] = rate
        }
        faults.latencyMs = latencyMs
        faults.dropRate = dropRate
        faults.throttleRate = throttleRate
        faults.retryAfterSeconds = retryAfter
        faults.rejectRate = rejectRate
        faults.garbageRate = garbageRate
        if let rejectField {
            let parts = rejectField.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { throw ValidationError("--reject-field wants FIELD=VALUE") }
            faults.rejectField = String(parts[0])
            faults.rejectValue = String(parts[1])
        }

        let state = try SimulatorState(faults: faults, storePath: store)
        var definition = AdapterDefinition.evaldJSON1
        if let adapter {
            do { definition = try AdapterDefinition.load(path: adapter) } catch { throw ValidationError("--adapter:\n\(error)") }
        }
        var publicKey: String?
        if let sm2PublicKey {
            guard let data = FileManager.default.contents(atPath: sm2PublicKey) else { throw ValidationError("cannot read --sm2-public-key \(sm2PublicKey)") }
            publicKey = String(decoding: data, as: UTF8.self)
        }
        let receiver = try DefinitionReceiver(definition: definition, appKey: appKey, secret: secret, sm2PublicKeyPEM: publicKey)
        let endpoint = EvaluationsEndpoint(state: state, receiver: receiver)
        let router = Router(context: SimulatorContext.self)
        router.post(RouterPath(endpoint.path)) { request, context in
            try await endpoint.handle(request, context: context)
        }
        router.get("/stats") { _, _ in Self.json(state.snapshot()) }
        router.get("/evaluations") { _, _ in Self.json(["ids": state.uniqueIds()]) }
        router.get("/faults") { _, _ in Self.json(state.currentFaults()) }
        router.post("/faults") { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 16)
            guard let new = try? JSONDecoder().decode(Faults.self, from: Data(Array(buffer: body))) else {
                throw HTTPError(.badRequest, message: "faults must be a JSON object (see --help)")
            }
            state.setFaults(new)
            return Self.json(new)
        }

        var logger = Logger(label: "platform-sim")
        logger.logLevel = .warning
        let host = self.host
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "platform-sim"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? 0
                // The first stdout line is the contract with PlatformSimulatorProcess.
                FileHandle.standardOutput.write(Data("listening on \(host):\(bound)\n".utf8))
            },
            logger: logger
        )
        try await app.runService()
    }

    static func json(_ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let body = (try? encoder.encode(value)) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
