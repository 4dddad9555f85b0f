import EvalAgent
import EvalOperator
import Foundation
import Testing

/// Issue 12 item 8: the documentation cannot show a configuration section or
/// key that evald would reject (docs/uplink.md once documented an `[uplink]`
/// section `--check-config` refused). Checked against `ConfigurationSchema`,
/// the list the parser itself rejects unknown keys with.
@Suite("Docs name only configuration evald accepts")
struct DocsConfigurationDriftTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func everyDocumentedSectionAndKeyIsInTheSchema() throws {
        let documented = try DocumentedConfiguration(repository: Self.repository)
        let unknown = documented.mentions.filter { mention in
            guard ConfigurationSchema.isSection(mention.section) else { return true }
            return mention.key.map { !ConfigurationSchema.isKey($0, in: mention.section) } ?? false
        }
        #expect(unknown.isEmpty, "documented but not accepted by evald:\n\(unknown.map(\.description).joined(separator: "\n"))")
        // The extraction itself works: configuration.md's tables and the examples are read.
        #expect(documented.mentions.contains { $0.file == "docs/configuration.md" && $0.section == "api" && $0.key == "open_burst" })
        #expect(documented.mentions.contains { $0.file == "docs/examples/evald.toml" && $0.section == "window.staff" && $0.key == "login_name" })
    }

    /// The drift check would catch what issue 12 found: a key the parser rejects is one the schema lacks.
    @Test func theParserRejectsWhatTheSchemaLacks() throws {
        #expect(!ConfigurationSchema.isSection("uplink"))
        let check = ConfigurationLoader.parse(text: """
        [platform]
        base_url = "http://127.0.0.1:8080/api/v1"
        app_key = "k"
        app_secret_file_x = "/nonexistent/secret"
        """)
        let issue = check.errors.first { $0.location == "[platform] app_secret_file_x" }
        #expect(issue?.message.contains("unknown key") == true)
        #expect(issue?.message.contains("app_secret_credential") == true, "the message lists the schema's keys: \(String(describing: issue))")
    }
}
