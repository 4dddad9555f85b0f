import EvalAgent
import EvalOperator
import EvalTesting
import Foundation
import Logging
import Testing

@Suite("control socket: evalctl ↔ evald")
struct ControlSocketTests {
    @Test func aRequestGetsItsAnswerAndMalformedInputIsRefused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("control.sock")
        let server = ControlServer(path: path, logger: Logger(label: "test")) { request, _ in
            switch request.verb {
            case .ping: ControlResponse(ok: true, message: "pong")
            case .retry: ControlResponse(ok: true, message: "retried \(request.evaluationId ?? "") for \(request.operatorName ?? "")")
            case .drop, .release, .followUp, .prompt, .reveal: ControlResponse(ok: false, message: "no such record")
            }
        }
        let task = Task { try await server.run() }
        defer { task.cancel() }
        // Bounded so a broken server fails the test instead of hanging it; generous,
        // because a CI machine under load may take seconds to schedule the task.
        let deadline = ContinuousClock.now + .seconds(60)
        // The socket file appears at bind, a moment before the server answers:
        // the first ping is retried until it is answered (or the bound passes).
        var pong: ControlResponse?
        while pong == nil && ContinuousClock.now < deadline {
            pong = try? await Self.send(ControlRequest(verb: .ping), to: path)
            if pong == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(pong?.message == "pong")
        let retry = try await Self.send(ControlRequest(verb: .retry, evaluationId: "abc", operatorName: "ops"), to: path)
        #expect(retry == ControlResponse(ok: true, message: "retried abc for ops"))
        #expect(try await Self.send(ControlRequest(verb: .drop, evaluationId: "x"), to: path).ok == false)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o660)
    }

    /// The client blocks in read(2), as evalctl may; in a test process that
    /// shares the cooperative pool with the server, it gets a thread of its own.
    static func send(_ request: ControlRequest, to path: String) async throws -> ControlResponse {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try ControlClient.send(request, to: path, timeout: .seconds(10)) })
            }
        }
    }

    @Test func noDaemonIsAClearError() {
        let error = #expect(throws: ControlClient.Failure.self) {
            try ControlClient.send(ControlRequest(verb: .ping), to: "/nonexistent/evald/control.sock")
        }
        #expect(error?.description.contains("cannot reach evald") == true)
    }
}
