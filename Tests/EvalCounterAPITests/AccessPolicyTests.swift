import EvalCounterAPI
import Testing

@Suite("AccessPolicy: origins, preflights and the bearer token")
struct AccessPolicyTests {
    let tcp = AccessPolicy(token: "0123456789abcdef-token", allowedOrigins: ["http://127.0.0.1:8080", "https://banjian.example.cn"])

    @Test func aPreflightFromAnAllowedOriginIsAnsweredWithoutAToken() {
        let decision = tcp.decide(.init(method: "OPTIONS", path: "/v1/services", origin: "https://banjian.example.cn",
                                        preflightMethod: "POST", privateNetworkRequested: true))
        guard case .preflight(let headers) = decision else { Issue.record("\(decision)"); return }
        #expect(headers["Access-Control-Allow-Origin"] == "https://banjian.example.cn")
        #expect(headers["Access-Control-Allow-Private-Network"] == "true")
        #expect(headers["Access-Control-Allow-Headers"]?.contains("Authorization") == true)
        guard case .preflight(let plain) = tcp.decide(.init(method: "OPTIONS", path: "/v1/services", origin: "http://127.0.0.1:8080",
                                                           preflightMethod: "GET")) else { Issue.record("no preflight"); return }
        #expect(plain["Access-Control-Allow-Private-Network"] == nil, "only when Chromium asks")
    }

    @Test func otherOriginsAreRefusedPreflightOrNot() {
        for method in ["OPTIONS", "GET", "POST"] {
            let decision = tcp.decide(.init(method: method, path: "/v1/windows", origin: "https://evil.example.com",
                                            authorization: "Bearer 0123456789abcdef-token", preflightMethod: "GET"))
            guard case .refuse(let error) = decision else { Issue.record("\(method): \(decision)"); continue }
            #expect(error.status == 403 && error.code == "origin-not-allowed")
        }
    }

    @Test func tcpNeedsTheRightToken() {
        func status(_ request: AccessPolicy.Request) -> Int? {
            if case .refuse(let error) = tcp.decide(request) { return error.status }
            return nil
        }
        #expect(status(.init(method: "GET", path: "/v1/windows")) == 401)
        #expect(status(.init(method: "GET", path: "/v1/windows", authorization: "Bearer wrong-token-wrong-token")) == 401)
        #expect(status(.init(method: "GET", path: "/v1/windows", authorization: "Basic abc")) == 401)
        #expect(status(.init(method: "GET", path: "/v1/windows", authorization: "Bearer 0123456789abcdef-token")) == nil)
        #expect(status(.init(method: "GET", path: "/v1/windows", queryToken: "0123456789abcdef-token")) == 401, "query token only for EventSource")
        #expect(status(.init(method: "GET", path: "/v1/events", queryToken: "0123456789abcdef-token")) == nil)
        guard case .proceed(let headers) = tcp.decide(.init(method: "POST", path: "/v1/services", origin: "http://127.0.0.1:8080",
                                                             authorization: "Bearer 0123456789abcdef-token")) else { Issue.record("refused"); return }
        #expect(headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:8080" && headers["Vary"] == "Origin")
    }

    @Test func theUnixSocketNeedsNoToken() {
        let unix = AccessPolicy(token: nil, allowedOrigins: [])
        #expect(unix.decide(.init(method: "POST", path: "/v1/services")) == .proceed(headers: [:]))
    }
}
