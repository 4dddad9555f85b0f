#if canImport(Glibc)
import Glibc
#endif
import EvalAgent
import EvalTesting
import Foundation
import Testing

@Suite("sd_notify over a real unix datagram socket")
struct NotifyTests {
    @Test(arguments: [false, true])
    func notifyReachesAPathOrAbstractSocket(abstract: Bool) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let name = abstract ? "@evald-test-\(UUID().uuidString.prefix(8))" : dir.path("notify.sock")
        let socket = try NotifySocket(path: name)
        defer { socket.close() }
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": name])
        notifier.ready(status: "hello 窗口")
        let message = try #require(socket.receive(timeout: .seconds(2)))
        #expect(message.contains("READY=1"))
        #expect(message.contains("STATUS=hello 窗口"))
        #expect(message.contains("MAINPID=\(getpid())"))
    }

    @Test func noNotifySocketMeansNoOp() {
        let notifier = SystemdNotifier(environment: [:])
        #expect(!notifier.isActive)
        #expect(!notifier.notify("READY=1"))
    }

    @Test func watchdogIntervalIsOnlyOursWhenThePIDMatches() {
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000"]) == .seconds(30))
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"]) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: [:]) == nil)
    }

}
