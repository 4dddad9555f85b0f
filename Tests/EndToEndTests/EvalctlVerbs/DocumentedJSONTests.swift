import EvalAgent
import EvalCore
import EvalOperator
import EvalQueue
import EvalTesting
import Foundation
import Testing

/// docs/cli-json.md is the schema scripts rely on: what `status --json`,
/// `queue list --json`, `export --format json` and `bad-reviews list --json`
/// print is exactly the keys it documents, no more and no fewer (issue 12:
/// `status --json` had keys the document did not name, and a `clock` string
/// that had become an object).
@Suite("evalctl --json prints the documented keys", .serialized)
struct DocumentedJSONTests {
    func object(_ text: String) -> [String: Any]? { try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] }
    func array(_ text: String) -> [[String: Any]]? { try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] }

    func expectDocumented(_ output: [String: Any]?, _ verb: String, _ document: CLIJSONDocument,
                          sourceLocation: SourceLocation = #_sourceLocation) {
        let documented = document.keys(verb)
        #expect(!documented.isEmpty, "no table for \(verb) in docs/cli-json.md", sourceLocation: sourceLocation)
        let paths = CLIJSONDocument.paths(output ?? [:])
        #expect(CLIJSONDocument.undocumented(paths, documented: documented) == [], "\(verb): printed, not documented", sourceLocation: sourceLocation)
        #expect(CLIJSONDocument.missing(documented, paths: paths) == [], "\(verb): documented, not printed", sourceLocation: sourceLocation)
    }

    @Test func statusQueueListExportAndBadReviews() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = TestConfig(directory: dir.url.path)
        try config.write()
        _ = try await EvalctlTests.seed(config)
        let document = try CLIJSONDocument()

        expectDocumented(object(try await EvalctlRun.run(config, ["status", "--json"]).stdout), "`evalctl status --json`", document)
        let record = array(try await EvalctlRun.run(config, ["queue", "list", "--json"]).stdout)?.first
        expectDocumented(record, "`evalctl queue list --json`", document)
        let line = try await EvalctlRun.run(config, ["export", "--format", "json"]).lines.first ?? ""
        expectDocumented(object(line), "`evalctl export --format json`", document)
        // A bad review stored as the pipeline stores it (queued, in the 台账).
        let review = BadReviewFollowUpTests.badReview(at: "2026-09-21 10:00:00", window: "W01", staff: "zhangsan", realName: true)
        try await BadReviewFollowUpTests.store([review], in: config)
        let badReviews = array(try await EvalctlRun.run(config, ["bad-reviews", "list", "--json"]).stdout)
        #expect(badReviews?.first?["evaluationId"] as? String == review.evaluationId.description, "\(String(describing: badReviews))")
        expectDocumented(badReviews?.first, "`evalctl bad-reviews list --json`", document)
    }
}
