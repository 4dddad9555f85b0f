import EvalAgent
import EvalTesting
import Synchronization
import Testing

/// Issue #24 item 5: scrapes are answered from a snapshot rebuilt at most
/// once a second, whatever the number of scrapers (on a test clock).
@Suite("MetricsSnapshot: one rebuild a second")
struct MetricsSnapshotTests {
    @Test func scrapesWithinASecondShareOneRebuild() async {
        let clock = TestClock()
        let renders = Atomic<Int>(0)
        let snapshot = MetricsSnapshot(clock: clock) { "render \(renders.add(1, ordering: .relaxed).newValue)\n" }
        #expect(await snapshot.text() == "render 1\n")
        clock.advance(by: .milliseconds(999))
        for _ in 0..<100 { #expect(await snapshot.text() == "render 1\n") }
        clock.advance(by: .milliseconds(1))
        #expect(await snapshot.text() == "render 2\n")
        #expect(renders.load(ordering: .relaxed) == 2)
    }

    @Test func concurrentScrapesWaitForTheOneRebuildInFlight() async {
        let clock = TestClock()
        let renders = Atomic<Int>(0)
        // The render blocks until the test lets it finish, so every scrape arrives while it runs.
        let (gate, open) = AsyncStream<Void>.makeStream()
        let snapshot = MetricsSnapshot(clock: clock) {
            renders.add(1, ordering: .relaxed)
            for await _ in gate { break }
            return "text\n"
        }
        await withTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { await snapshot.text() } }
            // Every scrape has called text(): the first rebuild is in flight, the rest wait on it.
            while await snapshot.waiting < 20 { await Task.yield() }
            open.yield()
            open.finish()
            for await text in group { #expect(text == "text\n") }
        }
        #expect(renders.load(ordering: .relaxed) == 1)
    }
}
