#if canImport(Glibc)
import Glibc
#endif
import EvalAgent
import EvalCore
import EvalOperator
import EvalQueue
import EvalTesting
import Foundation
import Logging
import Synchronization
import Testing

/// Issue #24, item 4: who asks on the control socket comes from the kernel
/// (SO_PEERCRED on a real unix socket), changing verbs need root, evald's
/// user or group evald-operator, and the audit trail names the uid.
@Suite("control socket: the operator is the kernel's peer uid")
struct ControlPeerTests {
    /// What the handler was asked, by whom.
    final class Calls: Sendable {
        private let seen = Mutex<[(ControlRequest.Verb, ControlPeer)]>([])
        func add(_ verb: ControlRequest.Verb, _ peer: ControlPeer) { seen.withLock { $0.append((verb, peer)) } }
        var verbs: [ControlRequest.Verb] { seen.withLock { $0.map(\.0) } }
        var peers: [ControlPeer] { seen.withLock { $0.map(\.1) } }
    }

    /// Runs `body` while a control server with `access` serves `path`.
    static func serving<T>(_ path: String, access: ControlAccess, refusals: ControlServer.Refusals = .init(),
                           handler: @escaping ControlServer.Handler, _ body: () async throws -> T) async throws -> T {
        let (ready, announce) = AsyncStream<Void>.makeStream()
        let server = ControlServer(path: path, access: access, refusals: refusals, logger: Logger(label: "test"),
                                   onReady: { announce.yield() }, handler: handler)
        let task = Task { try await server.run() }
        var iterator = ready.makeAsyncIterator()
        _ = await iterator.next()
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        // Stopped before the next server binds the same path (its stop unlinks the socket).
        task.cancel()
        _ = try? await task.value
        return try result.get()
    }

    /// Answers every allowed request with the peer the server saw.
    static func echo(_ calls: Calls) -> ControlServer.Handler {
        { request, peer in
            calls.add(request.verb, peer)
            return ControlResponse(ok: true, message: "uid=\(peer.uid) gid=\(peer.gid) pid=\(peer.pid) name=\(peer.name ?? "-")")
        }
    }

    @Test func theServerNamesTheConnectingProcessByItsKernelCredentials() async throws {
        let dir = try TemporaryDirectory(prefix: "peer")
        defer { dir.remove() }
        let calls = Calls()
        let answer = try await Self.serving(dir.path("control.sock"), access: .system(), handler: Self.echo(calls)) {
            try await ControlSocketTests.send(ControlRequest(verb: .ping, operatorName: "somebody-else"), to: dir.path("control.sock"))
        }
        let me = UserDatabase.userName(of: UInt32(getuid()))
        #expect(answer.message == "uid=\(getuid()) gid=\(getegid()) pid=\(getpid()) name=\(me ?? "-")")
        #expect(me != nil && me != "somebody-else")
        // The groups are this process's own, as /proc says for the kernel's pid.
        let ownGroups = ControlPeer(credentials: PeerCredentials(pid: getpid(), uid: UInt32(geteuid()), gid: UInt32(getegid()))).groups
        #expect(calls.peers.first?.groups == ownGroups)
    }

    @Test func aChangingVerbFromAPeerNeitherPrivilegedNorInTheGroupIsRefused() async throws {
        let dir = try TemporaryDirectory(prefix: "peer")
        defer { dir.remove() }
        let path = dir.path("control.sock")
        let calls = Calls()
        let refusals = ControlServer.Refusals()
        // Nobody is privileged and the operator group does not exist: this
        // process (whatever its uid) is an ordinary member of group evald.
        let access = ControlAccess(privilegedUIDs: []) { nil }
        let (drop, ping, reveal) = try await Self.serving(path, access: access, refusals: refusals, handler: Self.echo(calls)) {
            (try await ControlSocketTests.send(ControlRequest(verb: .drop, evaluationId: "x", operatorName: "root"), to: path),
             try await ControlSocketTests.send(ControlRequest(verb: .ping), to: path),
             try await ControlSocketTests.send(ControlRequest(verb: .reveal, detail: "queue show"), to: path))
        }
        #expect(drop.ok == false && drop.message.contains("needs root or group evald-operator") && drop.message.contains("uid \(getuid())"))
        #expect(reveal.ok == false)
        #expect(ping.ok, "reading stays open to whoever reaches the socket")
        #expect(calls.verbs == [.ping], "a refused request never reaches the handler")
        #expect(refusals.value == 2)
    }

    @Test func membershipOfTheOperatorGroupIsTheKernelsGidOfThePeer() async throws {
        let dir = try TemporaryDirectory(prefix: "peer")
        defer { dir.remove() }
        let path = dir.path("control.sock")
        let calls = Calls()
        let ownGid = UInt32(getegid())
        let member = ControlAccess(privilegedUIDs: []) { ownGid }
        let allowed = try await Self.serving(path, access: member, handler: Self.echo(calls)) {
            try await ControlSocketTests.send(ControlRequest(verb: .drop, evaluationId: "x"), to: path)
        }
        #expect(allowed.ok && calls.verbs == [.drop])
        let notMember = ControlAccess(privilegedUIDs: []) { ownGid &+ 4242 }
        let refused = try await Self.serving(path, access: notMember, handler: Self.echo(calls)) {
            try await ControlSocketTests.send(ControlRequest(verb: .followUp, evaluationId: "x"), to: path)
        }
        #expect(!refused.ok && calls.verbs == [.drop])
    }

    /// Another process, really unprivileged (uid and gid 65534, no groups),
    /// against the daemon's own policy: it may read, not change; and it is
    /// named by its uid whatever it claims.
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
                   && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
    func aRealUnprivilegedProcessIsRefusedByTheSystemPolicy() async throws {
        let dir = try TemporaryDirectory(prefix: "peer")
        defer { dir.remove() }
        chmod(dir.url.path, 0o755)
        let path = dir.path("control.sock")
        let calls = Calls()
        let client = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX)
            s.connect(sys.argv[1])
            s.sendall(sys.argv[2].encode() + b"\\n")
            print(s.makefile().readline(), end="")
            """
        func asNobody(_ request: String) async throws -> ControlResponse {
            let run = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/setpriv"), arguments: [
                "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-I", "-c", client, path, request])
            #expect(run.status == 0, "\(run.stderr)")
            return try JSONDecoder().decode(ControlResponse.self, from: Data(run.stdout.utf8))
        }
        let (drop, ping) = try await Self.serving(path, access: .system(), handler: Self.echo(calls)) {
            chmod(path, 0o666)  // the test stands in for group evald's access to the socket
            return (try await asNobody(#"{"verb":"drop","evaluationId":"x","operatorName":"root"}"#),
                    try await asNobody(#"{"verb":"ping","operatorName":"root"}"#))
        }
        #expect(!drop.ok && drop.message.contains("uid 65534"), "\(drop.message)")
        #expect(ping.ok && ping.message.hasPrefix("uid=65534 gid=65534 "), "\(ping.message)")
        #expect(calls.peers.map(\.uid) == [65534] && calls.peers.first?.groups == [])
    }

    /// The usual operator: a user whose membership of the operator group is a
    /// supplementary group (`usermod -aG`), which the kernel reports for the
    /// socket (SO_PEERGROUPS).
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
                   && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
    func aRealProcessWithTheOperatorGroupAsASupplementaryGroupMayChange() async throws {
        let dir = try TemporaryDirectory(prefix: "peer")
        defer { dir.remove() }
        chmod(dir.url.path, 0o755)
        let calls = Calls()
        let client = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX)
            s.connect(sys.argv[1])
            s.sendall(b'{"verb":"drop","evaluationId":"x"}\\n')
            print(s.makefile().readline(), end="")
            """
        func drop(groups: String, path: String, access: ControlAccess) async throws -> ControlResponse {
            try await Self.serving(path, access: access, handler: Self.echo(calls)) {
                chmod(path, 0o666)
                let run = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/setpriv"), arguments: [
                    "--reuid=65534", "--regid=65534", "--groups=\(groups)", "/usr/bin/python3", "-I", "-c", client, path])
                #expect(run.status == 0, "\(run.stderr)")
                return try JSONDecoder().decode(ControlResponse.self, from: Data(run.stdout.utf8))
            }
        }
        let operators = ControlAccess(privilegedUIDs: [0]) { 4242 }
        let member = try await drop(groups: "100,4242", path: dir.path("a.sock"), access: operators)
        #expect(member.ok && calls.peers.last?.groups == [100, 4242], "\(member.message)")
        let other = try await drop(groups: "100,4243", path: dir.path("b.sock"), access: operators)
        #expect(!other.ok && other.message.contains("uid 65534"), "\(other.message)")
        #expect(calls.peers.count == 1)
    }

    /// The daemon's handling of a repair: the row names the kernel's uid, the
    /// claimed name is kept escaped, and a newline in it cannot add a line to
    /// the mirror.
    @Test func aForgedNameOverTheSocketCannotForgeAnAuditLine() async throws {
        let dir = try TemporaryDirectory(prefix: "peer")
        defer { dir.remove() }
        let path = dir.path("control.sock")
        let queue = try EvaluationQueue(configuration: QueueConfiguration(path: dir.path("queue.db"), minFreeBytes: 0))
        defer { queue.close() }
        let record = SampleEvaluation.make()
        try await queue.enqueue(record)
        let auditLog = AuditLog(stateDirectory: dir.url.path)
        let handler: ControlServer.Handler = { request, peer in
            let id = EvaluationID(request.evaluationId ?? "")!
            let message = try? await QueueRepair.apply(.drop, id: id, queue: queue, auditLog: auditLog,
                                                       actor: peer.actor(claimedName: request.operatorName), logger: Logger(label: "test"))
            return ControlResponse(ok: message != nil, message: message ?? "failed")
        }
        let forged = "alice\n2026-12-01T00:00:00Z verb=retry evaluationId=\(record.evaluationId) uid=0 operator=root"
        let answer = try await Self.serving(path, access: .system(), handler: handler) {
            try await ControlSocketTests.send(ControlRequest(verb: .drop, evaluationId: record.evaluationId.description, operatorName: forged), to: path)
        }
        #expect(answer.ok, "\(answer.message)")

        let mirror = try String(contentsOfFile: auditLog.path, encoding: .utf8)
        #expect(mirror.split(separator: "\n").count == 1 && mirror.hasSuffix("\n"), "\(mirror)")
        #expect(!mirror.contains("verb=retry evaluationId"))
        let row = try #require(try queue.auditEntries().first)
        #expect(row.actor.uid == UInt32(getuid()) && row.actor.via == .controlSocket)
        #expect(row.actor.name == UserDatabase.userName(of: UInt32(getuid())))
        #expect(row.actor.claimedName?.hasPrefix("alice\\u{A}2026-12-01T00:00:00Z\\u{20}verb=retry") == true)
        #expect(mirror.contains(" verb=drop evaluationId=\(record.evaluationId) uid=\(getuid()) operator=\(row.actor.name) claimed=alice\\u{A}"))
    }

    /// `sudo evalctl … --reveal` with evald stopped and no audit.log yet (no
    /// tmpfiles run): the file it creates is the state directory owner's, so
    /// evald can append to it afterwards.
    @Test(.enabled(if: geteuid() == 0)) func aMirrorRootCreatesBelongsToTheStateDirectorysOwner() throws {
        let dir = try TemporaryDirectory(prefix: "peer")
        defer { dir.remove() }
        #expect(chown(dir.url.path, 65534, 65534) == 0)
        let log = AuditLog(stateDirectory: dir.url.path)
        try log.mirror(AuditEntry(at: Date(), actor: AuditActor(uid: 0, name: "root", via: .evalctl), verb: "reveal", evaluationId: nil, detail: "x"))
        var info = stat()
        #expect(stat(log.path, &info) == 0)
        #expect(info.st_uid == 65534 && info.st_gid == 65534 && info.st_mode & 0o777 == 0o640)
    }

    @Test func aMirrorThatCannotBeWrittenDoesNotUndoTheCommittedAction() async throws {
        let dir = try TemporaryDirectory(prefix: "peer")
        defer { dir.remove() }
        let queue = try EvaluationQueue(configuration: QueueConfiguration(path: dir.path("queue.db"), minFreeBytes: 0))
        defer { queue.close() }
        let record = SampleEvaluation.make()
        try await queue.enqueue(record)
        let missing = AuditLog(path: dir.path("no-such-dir/audit.log"))
        let actor = AuditActor(uid: 1001, name: "wangfang", via: .controlSocket)
        _ = try await QueueRepair.apply(.drop, id: record.evaluationId, queue: queue, auditLog: missing, actor: actor, logger: Logger(label: "test"))
        #expect(try queue.record(record.evaluationId) == nil)
        #expect(try queue.auditEntries().map(\.verb) == ["drop"])
        #expect(throws: AuditMirrorError.self) {
            try missing.mirror(AuditEntry(at: Date(), actor: actor, verb: "drop", evaluationId: nil, detail: ""))
        }
    }
}
