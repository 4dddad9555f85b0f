import EvalCore
import EvalPlatform
import EvalUplink
import Foundation
import Testing

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(base: 1, cap: 60)

    @Test func ceilingDoublesUpToTheCap() {
        #expect((1...8).map { policy.ceiling(failures: $0) } == [1, 2, 4, 8, 16, 32, 60, 60])
        #expect(policy.ceiling(failures: 10_000) == 60)
    }

    @Test func fullJitterStaysInsideTheWindowAndSpreads() {
        var generator = SplitMix64(seed: 7)
        let delays = (0..<1000).map { _ in policy.delay(failures: 4, using: &generator) }
        #expect(delays.allSatisfy { (0...8).contains($0) })
        #expect(delays.min()! < 1 && delays.max()! > 7)  // spread over the window, not lockstep
    }

    @Test func retryAfterIsAFloor() {
        var generator = SplitMix64(seed: 1)
        for _ in 0..<100 {
            #expect(policy.delay(failures: 1, retryAfter: 30, using: &generator) >= 30)
        }
        #expect(policy.delay(failures: 1, retryAfter: 1e9, using: &generator) == policy.maxRetryAfter)
    }
}

@Suite struct BatchClassifierTests {
    let classifier = BatchClassifier(policy: RetryPolicy(base: 1, cap: 60))
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let ids = (0..<4).map { _ in EvaluationID.make() }

    func plan(_ verdict: BatchVerdict, batch: [EvaluationID]? = nil, failures: Int = 1) -> BatchPlan {
        var generator = SplitMix64(seed: 3)
        return classifier.plan(for: verdict, batch: batch ?? ids, failures: failures, now: now, using: &generator)
    }

    @Test func perRecordVerdictsSettleAndHealTheLink() {
        let verdict = BatchVerdict.perRecord([.delivered(ids[0]), .delivered(ids[1]), .rejected(ids[2], reason: "bad areaCode"), .delivered(ids[3])])
        guard case .settle(let outcomes, .healthy) = plan(verdict) else { Issue.record("not settled healthy"); return }
        #expect(outcomes[0] == .delivered(ids[0]))
        #expect(outcomes[2] == .rejected(ids[2], reason: "platform rejected: bad areaCode"))
    }

    @Test func linkFailuresKeepEveryRecordForRetry() {
        let failures: [BatchFailure] = [
            .unauthorized(reason: "bad signature", platformDate: nil), .throttled(status: 429, retryAfter: nil),
            .serverError(status: 500), .untrustworthy(reason: "garbage"), .transport(reason: "reset"),
        ]
        for failure in failures {
            guard case .settle(let outcomes, .failing(_, let notBefore, let auth)) = plan(.failure(failure)) else {
                Issue.record("\(failure) not retried"); continue
            }
            #expect(outcomes.map(\.evaluationId) == ids)
            #expect(outcomes.allSatisfy { if case .retry(_, _, let at, _) = $0 { at == notBefore } else { false } })
            #expect(notBefore >= now && notBefore <= now + 1)
            #expect(auth == (failure == .unauthorized(reason: "bad signature", platformDate: nil)))
        }
    }

    /// The reason label of evald_delivery_failures_total: a 401 is told apart from the network.
    @Test func linkFailuresNameTheirReason() {
        let expected: [(BatchFailure, DeliveryFailureReason)] = [
            (.unauthorized(reason: "bad signature", platformDate: nil), .unauthorized), (.throttled(status: 429, retryAfter: nil), .throttled),
            (.serverError(status: 500), .serverError), (.untrustworthy(reason: "garbage"), .untrustworthy), (.transport(reason: "reset"), .transport),
        ]
        for (failure, reason) in expected {
            guard case .settle(let outcomes, _) = plan(.failure(failure)) else { Issue.record("\(failure) not settled"); continue }
            #expect(outcomes.allSatisfy { if case .retry(_, _, _, let r) = $0 { r == reason } else { false } }, "\(failure)")
        }
    }

    @Test func retryAfterDelaysTheWholeLink() {
        guard case .settle(_, .failing(_, let notBefore, _)) = plan(.failure(.throttled(status: 503, retryAfter: 20))) else {
            Issue.record("not failing"); return
        }
        #expect(notBefore >= now + 20)
    }

    @Test func malformedOrTooLargeBatchesAreBisectedDownToTheCulprit() {
        #expect(plan(.failure(.malformedBatch(reason: "x"))) == .split([Array(ids[0..<2]), Array(ids[2...])]))
        #expect(plan(.failure(.tooLarge)) == .split([Array(ids[0..<2]), Array(ids[2...])]))
        guard case .settle(let outcomes, .healthy) = plan(.failure(.malformedBatch(reason: "satisfaction: wrong type")), batch: [ids[0]]) else {
            Issue.record("single malformed record not dead-lettered"); return
        }
        #expect(outcomes == [.rejected(ids[0], reason: "platform answered 400 for this record alone: satisfaction: wrong type")])
    }
}

@Suite struct SystemClockProbeTests {
    @Test func systemProbeReadsTheKernel() {
        let sample = SystemClockProbe.sample()
        #expect(sample.boot > 0)
        #expect(sample.kernelUnsynchronized != nil)  // adjtimex found via dlsym
    }
}

@Suite struct ConfigurationTests {
    @Test func validatesKeysWithClearMessages() throws {
        try UplinkConfiguration(baseURL: "https://p.example/api/v1", appKey: "k").validate()
        #expect(throws: UplinkConfiguration.Invalid.self) { try UplinkConfiguration(baseURL: "ftp://x", appKey: "k").validate() }
        #expect(throws: UplinkConfiguration.Invalid.self) { try UplinkConfiguration(baseURL: "https://x/api", appKey: "k", batchSize: 101).validate() }
        #expect(throws: UplinkConfiguration.Invalid.self) { try UplinkConfiguration(baseURL: "https://x/api", appKey: "k", clientCertFile: "/c.pem").validate() }
        #expect(UplinkConfiguration(baseURL: "http://127.0.0.1:9/api/v1", appKey: "k").basePath == "/api/v1")
    }

    @Test func secretComesFromAFileOrASystemdCredential() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("uplink-secret-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("from-file\n".utf8).write(to: dir.appendingPathComponent("secret"))
        try Data("from-credential".utf8).write(to: dir.appendingPathComponent("uplink-app-secret"))

        let fromFile = try SecretLoader.load(file: dir.appendingPathComponent("secret").path, environment: [:])
        let fromCredential = try SecretLoader.load(file: nil, environment: ["CREDENTIALS_DIRECTORY": dir.path])
        let signer = { (secret: AppSecret) in RequestSigner(appKey: "k", secret: secret).signature(path: "/", timestampMillis: 0, nonce: "n", body: []) }
        #expect(signer(fromFile) == signer(AppSecret("from-file")))  // trailing newline dropped
        #expect(signer(fromCredential) == signer(AppSecret("from-credential")))
        #expect(throws: SecretLoader.Failure.self) { try SecretLoader.load(file: nil, environment: [:]) }
    }
}
