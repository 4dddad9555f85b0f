import EvalAgent
import EvalCounterAPI
import EvalOperator
import Foundation
import Testing

@Suite("Configuration: [api], the counter API")
struct APIConfigurationTests {
    @Test func absentMeansOffPresentMeansOnWithDefaults() throws {
        #expect(try ConfigurationLoader.parse(text: ConfigurationTests.minimal).get().api.enabled == false)
        let on = try ConfigurationLoader.parse(text: ConfigurationTests.minimal + "\n[api]\n").get().api
        #expect(on.enabled && on.socket == "/run/evald/api.sock" && on.socketGroup == "evald-api" && on.listen == nil)
        let full = try ConfigurationLoader.parse(text: ConfigurationTests.minimal + """

            [api]
            socket = "/run/evald/x.sock"
            listen = "127.0.0.1:8765"
            token_file = "/etc/evald/api-token"
            allowed_origins = ["https://banjian.example.cn", "http://127.0.0.1:8080"]
            open_burst = 5
            """).get().api
        #expect(full.listen == HostAndPort(host: "127.0.0.1", port: 8765) && full.tokenFile == "/etc/evald/api-token")
        #expect(full.allowedOrigins.count == 2 && full.openBurst == 5)
    }

    @Test func aNetworkAddressAWildcardOriginOrAnUnknownKeyIsAnError() {
        let check = ConfigurationLoader.parse(text: ConfigurationTests.minimal + """

            [api]
            listen = "0.0.0.0:8765"
            allowed_origins = ["*", "https://ok.example.cn/path"]
            tokn_file = "/x"
            """)
        #expect(check.errors.contains { $0.location == "[api] listen" })
        #expect(check.errors.filter { $0.location == "[api] allowed_origins" }.count == 2)
        #expect(check.errors.contains { $0.location == "[api] tokn_file" })
    }

    @Test func tcpWithoutATokenIsRefusedAtStart() throws {
        let dir = try FileManager.default.url(for: .itemReplacementDirectory, in: .userDomainMask,
                                              appropriateFor: URL(fileURLWithPath: NSTemporaryDirectory()), create: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var configuration = try ConfigurationLoader.parse(text: ConfigurationTests.minimal + "\n[api]\nlisten = \"127.0.0.1:8765\"\n").get()
        #expect(throws: (any Error).self) { try configuration.counterAPIServerConfiguration(environment: [:]) }
        let token = dir.appendingPathComponent("api-token")
        try Data("short\n".utf8).write(to: token)
        configuration.api.tokenFile = token.path
        #expect(throws: (any Error).self) { try configuration.counterAPIServerConfiguration(environment: [:]) }
        try Data("0123456789abcdef-long-enough\n".utf8).write(to: token)
        #expect(try configuration.counterAPIServerConfiguration(environment: [:]).token == "0123456789abcdef-long-enough")
        configuration.api.tokenFile = nil
        #expect(configuration.apiTokenPath(environment: ["CREDENTIALS_DIRECTORY": dir.path]) == dir.appendingPathComponent("api-token").path)
    }
}
