@testable import EvalDevices
import EvalTesting
import Testing

/// The polled bus, driven by instants a test chooses: one poll in flight,
/// addresses in turn, timeouts, offline after missed polls, prompts that
/// wait for the bus.
struct SerialPollerTests {
    typealias Poller = SerialPoller<TestClock.Instant>
    let t0 = TestClock.Instant(offset: .zero)
    func at(_ ms: Int) -> TestClock.Instant { t0.advanced(by: .milliseconds(ms)) }

    @Test func twoAddressesArePolledInTurnEveryInterval() {
        var poller = Poller(addresses: [2, 1], interval: .milliseconds(250), timeout: .milliseconds(100), offlineAfter: 3)
        #expect(poller.start(at: at(0)) == [.poll(address: 1)])
        #expect(poller.nextDeadline == at(100))
        #expect(poller.answered(by: 1, at: at(20)) == [.online(address: 1), .poll(address: 2)])
        #expect(poller.answered(by: 2, at: at(45)) == [.online(address: 2)])
        #expect(poller.nextDeadline == at(250))
        #expect(poller.tick(at: at(249)) == [])
        #expect(poller.tick(at: at(250)) == [.poll(address: 1)])
    }

    @Test func anAddressThatNeverAnswersGoesOfflineAndBackOnline() {
        var poller = Poller(addresses: [1], interval: .milliseconds(250), timeout: .milliseconds(100), offlineAfter: 2)
        _ = poller.start(at: at(0))
        #expect(poller.answered(by: 1, at: at(10)) == [.online(address: 1)])
        #expect(poller.tick(at: at(250)) == [.poll(address: 1)])
        #expect(poller.tick(at: at(350)) == [.timedOut(address: 1)])
        #expect(poller.tick(at: at(500)) == [.poll(address: 1)])
        #expect(poller.tick(at: at(600)) == [.timedOut(address: 1), .offline(address: 1)])
        #expect(poller.onlineAddresses.isEmpty)
        #expect(poller.tick(at: at(750)) == [.poll(address: 1)])
        #expect(poller.answered(by: 1, at: at(760)) == [.online(address: 1)])
    }

    @Test func aDeviceThatNeverAnsweredIsNeverOnline() {
        var poller = Poller(addresses: [4], interval: .milliseconds(100), timeout: .milliseconds(50), offlineAfter: 1)
        var actions = poller.start(at: at(0))
        for ms in stride(from: 50, through: 1_000, by: 50) { actions += poller.tick(at: at(ms)) }
        #expect(!actions.contains(.online(address: 4)))
        #expect(!actions.contains(.offline(address: 4)))
        #expect(actions.filter { $0 == .timedOut(address: 4) }.count == 10)
    }

    @Test func aPromptWaitsForTheAnswerInFlight() {
        var poller = Poller(addresses: [1, 2], interval: .milliseconds(250), timeout: .milliseconds(100), offlineAfter: 3)
        _ = poller.start(at: at(0))
        #expect(poller.enqueue([0xAA, 0x02]) == [])
        #expect(poller.answered(by: 1, at: at(10)) == [.online(address: 1), .send([0xAA, 0x02]), .poll(address: 2)])
        _ = poller.answered(by: 2, at: at(20))
        #expect(poller.enqueue([0xAA, 0x01]) == [.send([0xAA, 0x01])])
    }

    @Test func aLateAnswerAfterATimeoutStillCountsAsAlive() {
        var poller = Poller(addresses: [1, 2], interval: .milliseconds(250), timeout: .milliseconds(100), offlineAfter: 1)
        _ = poller.start(at: at(0))
        #expect(poller.tick(at: at(100)) == [.timedOut(address: 1), .poll(address: 2)])
        #expect(poller.answered(by: 1, at: at(110)) == [.online(address: 1)])
        #expect(poller.nextDeadline == at(200))
        #expect(poller.stop() == [.offline(address: 1)])
    }

    @Test func aLineWithNoBoundAddressHasNothingToWaitFor() {
        var poller = Poller(addresses: [], interval: .milliseconds(250), timeout: .milliseconds(100), offlineAfter: 3)
        #expect(poller.start(at: at(0)) == [])
        #expect(poller.nextDeadline == nil)
        #expect(poller.enqueue([0x01]) == [.send([0x01])])
    }
}
