#if canImport(Glibc)
import Glibc
#endif
import EvalAPIClient
import EvalCore
import EvalTesting
import Foundation
import Testing

/// A real headless Chromium page, served from another loopback origin, drives
/// evald's API over TCP as a business system's page would: CORS preflight,
/// bearer token, `EventSource` with `?access_token=`. The page reports what
/// it saw by requesting `/result?…` from its own server, whose access log the
/// test reads. (scripts/bootstrap.sh installs Debian's `chromium`.)
@Suite("counter API from a real browser page", .serialized,
       .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "needs Debian's chromium (scripts/bootstrap.sh)"))
struct CounterAPIBrowserTests {
    static func page(apiPort: Int, token: String) -> String {
        """
        <!doctype html><meta charset="utf-8"><title>办件系统</title>
        <script>
        const base = "http://127.0.0.1:\(apiPort)/v1", token = "\(token)";
        const report = (query) => fetch("/result?" + query).catch(() => {});
        const events = new EventSource(`${base}/events?windowCode=W01&access_token=${token}`);
        events.addEventListener("rated", async (e) => {
          const d = JSON.parse(e.data);
          report(`rated=${d.serviceId}&satisfaction=${d.satisfaction}&detailAwaited=${d.detailAwaited}`);
          // The reasons follow the rating while the evaluation is held (issue 26).
          if (d.detailAwaited) {
            const answer = await fetch(`${base}/services/${d.serviceId}/detail`, {
              method: "POST",
              headers: { "Authorization": `Bearer ${token}`, "Content-Type": "application/json" },
              body: JSON.stringify({ evalDetail: "510,517", writingEvaluation: "办得很快" }),
            });
            const body = await answer.json();
            report(`detail=${answer.status}&received=${body.detailReceived}`);
          }
        });
        events.onerror = () => report("eventsource-error");
        events.onopen = async () => {
          try {
            const answer = await fetch(`${base}/services`, {
              method: "POST",
              headers: { "Authorization": `Bearer ${token}`, "Content-Type": "application/json" },
              body: JSON.stringify({ windowCode: "W01", projectNo: "MS-BROWSER-1", countdownSeconds: 60 }),
            });
            const body = await answer.json();
            report(`opened=${body.serviceId}&status=${answer.status}`);
          } catch (error) {
            report("fetch-error=" + encodeURIComponent(String(error)));
          }
        };
        </script>
        """
    }

    @Test func aPageOpensAServiceAndReceivesTheRatedEventThroughEventSource() async throws {
        let apiPort = freeLoopbackPort()
        let pagePort = freeLoopbackPort()
        let run = try await CounterAPIEndToEndTests.start(apiExtra: """
            allowed_origins = ["http://127.0.0.1:\(pagePort)"]
            detail_window_seconds = 300
            """, tcpPort: apiPort)
        defer { run.stop() }
        let site = run.dir.path("site")
        try FileManager.default.createDirectory(atPath: site, withIntermediateDirectories: true)
        try Data(Self.page(apiPort: apiPort, token: CounterAPIEndToEndTests.token).utf8)
            .write(to: URL(fileURLWithPath: (site as NSString).appendingPathComponent("index.html")))
        let server = try ChildProcess(URL(fileURLWithPath: "/usr/bin/python3"), arguments: ["-m", "http.server", "\(pagePort)", "--bind", "127.0.0.1", "--directory", site],
                               directory: run.dir.url.path)
        defer { server.stop() }
        let tcp = LocalHTTPClient(.tcp(port: pagePort))
        #expect(await eventually(timeout: .seconds(10)) { (try? tcp.request("GET", "/index.html").status) == 200 })

        let browser = try ChildProcess(URL(fileURLWithPath: "/usr/bin/chromium"), arguments: [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage",
            "--user-data-dir=\(run.dir.path("chromium-profile"))", "http://127.0.0.1:\(pagePort)/index.html",
        ], directory: run.dir.url.path)
        defer { browser.stop() }

        func reported(_ prefix: String) -> String? {
            server.stderr.split(separator: "\n").first { $0.contains("GET /result?\(prefix)") }.map(String.init)
        }
        let openedLine = await eventually(timeout: .seconds(60)) { reported("opened=") != nil || reported("fetch-error") != nil }
        #expect(openedLine, "page log:\n\(server.stderr)\nchromium:\n\(browser.stderr.suffix(2000))")
        let opened = try #require(reported("opened="), "page log:\n\(server.stderr)")
        #expect(opened.contains("status=201"), "\(opened)")
        let serviceId = try #require(opened.components(separatedBy: "opened=").last?.components(separatedBy: "&").first)

        run.keypad.press(5)
        #expect(await eventually(timeout: .seconds(30)) { reported("rated=\(serviceId)&satisfaction=5&detailAwaited=true") != nil },
                "page log:\n\(server.stderr)")
        // The page's reasons release the held evaluation (300 s window: only the detail can send it in time).
        #expect(await eventually(timeout: .seconds(30)) { reported("detail=200&received=true") != nil }, "page log:\n\(server.stderr)")
        #expect(reported("eventsource-error") == nil)
        #expect(await eventually(timeout: .seconds(20)) { (try? await run.sim.stats().unique) == 1 })
        let sent = try #require(try CounterAPIEndToEndTests.evaluations(run.config).first)
        #expect(sent.evalDetail == [510, 517])
        #expect(sent.writingEvaluation?.revealed == "办得很快")
    }
}
