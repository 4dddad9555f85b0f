/// The `/metrics` text, rebuilt at most once per `interval` (1 s): scrapes
/// inside it get the same text, and scrapes that arrive while it is being
/// rebuilt wait for that one rebuild instead of starting their own. A
/// scraper polling in a loop, or a dozen at once, cost the store one set of
/// queries a second, however many connections they use.
///
/// Generic over `Clock` so a test decides when a second has passed.
public actor MetricsSnapshot<C: Clock> where C.Duration == Duration {
    private let clock: C
    private let interval: Duration
    private let render: @Sendable () async -> String
    private var latest: (text: String, at: C.Instant)?
    private var rebuilding: Task<String, Never>?
    /// Rebuilds so far (for tests and the curious).
    public private(set) var rebuilds = 0
    /// Scrapes waiting for a rebuild in flight, the one that started it included (tests).
    public private(set) var waiting = 0

    public init(clock: C, interval: Duration = .seconds(1), render: @escaping @Sendable () async -> String) {
        self.clock = clock
        self.interval = interval
        self.render = render
    }

    public func text() async -> String {
        if let latest, latest.at.duration(to: clock.now) < interval { return latest.text }
        waiting += 1
        defer { waiting -= 1 }
        if let rebuilding { return await rebuilding.value }
        let render = self.render
        let task = Task { await render() }
        rebuilding = task
        rebuilds += 1
        let text = await task.value
        latest = (text, clock.now)
        rebuilding = nil
        return text
    }
}
