import EvalPlatform
import EvalUplink
import Testing

@Suite struct RequestSignerTests {
    let signer = RequestSigner(appKey: "app", secret: AppSecret("secret-key"))
    let body = Array(#"{"evaluations":[]}"#.utf8)
    let nonce = "0123456789abcdef0123456789abcdef"

    /// Vector computed independently (Python hashlib/hmac) from the DOMAIN.md recipe.
    @Test func matchesHandComputedVector() {
        let canonical = RequestSigner.canonicalString(method: "POST", path: "/api/v1/evaluations", timestampMillis: 1_767_225_600_000, nonce: nonce, body: body)
        #expect(canonical == "POST\n/api/v1/evaluations\n1767225600000\n\(nonce)\nba2d9cbd39e66717e6cd601f2be292b2b81b7ace3837118a30b6a080adf8bdc0")
        let signature = signer.signature(path: "/api/v1/evaluations", timestampMillis: 1_767_225_600_000, nonce: nonce, body: body)
        #expect(signature == "b86970e178c70a4fbee8cac8f0d029d7bb228fb1a3b01273de138001d6497110")
    }

    @Test func headersCarryKeyTimestampNonceAndSignature() {
        let headers = signer.headers(method: "POST", path: "/api/v1/evaluations", timestampMillis: 1_767_225_600_000, nonce: nonce, body: body)
        #expect(headers.map(\.name) == ["X-App-Key", "X-Timestamp", "X-Nonce", "X-Signature"])
        #expect(headers.map(\.value) == ["app", "1767225600000", nonce, "b86970e178c70a4fbee8cac8f0d029d7bb228fb1a3b01273de138001d6497110"])
    }

    @Test func verificationRejectsAnyChange() {
        let good = signer.signature(path: "/p", timestampMillis: 1, nonce: nonce, body: body)
        #expect(signer.isValid(signature: good, path: "/p", timestampMillis: 1, nonce: nonce, body: body))
        #expect(!signer.isValid(signature: good, path: "/p", timestampMillis: 2, nonce: nonce, body: body))
        #expect(!signer.isValid(signature: good, path: "/p", timestampMillis: 1, nonce: nonce, body: body + [0x20]))
        #expect(!RequestSigner(appKey: "app", secret: AppSecret("other")).isValid(signature: good, path: "/p", timestampMillis: 1, nonce: nonce, body: body))
        #expect(!signer.isValid(signature: "zz", path: "/p", timestampMillis: 1, nonce: nonce, body: body))
    }

    @Test func noncesAreLongHexAndNeverRepeat() {
        let generator = NonceGenerator()
        var seen = Set<String>()
        for _ in 0..<10_000 {
            let nonce = generator.next()
            #expect(nonce.count == 32 && nonce.allSatisfy(\.isHexDigit) && nonce == nonce.lowercased())
            seen.insert(nonce)
        }
        #expect(seen.count == 10_000)
        #expect(NonceGenerator().next() != NonceGenerator().next())
    }

    @Test func secretNeverPrints() {
        let secret = AppSecret("hunter2-very-secret")
        #expect(!"\(secret)".contains("hunter2"))
        #expect(!String(reflecting: secret).contains("hunter2"))
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("hunter2"))
    }
}
