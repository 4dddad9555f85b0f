import Crypto
import EvalCore
import EvalPlatform
import EvalTesting
import Foundation
import Testing

/// SM3, HMAC-SM3, SM4 and SM2 through the system OpenSSL 3, against the
/// standards' vectors and against the `openssl` command line both ways.
@Suite struct NationalCryptoTests {
    @Test func sm3OfAbcIsTheStandardVector() {
        // GB/T 32905-2016, example 1.
        #expect(Hex.encode(OpenSSLDigest.sm3.hash(Array("abc".utf8))) == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
        #expect(Hex.encode(OpenSSLDigest.sm3.hash(Array(repeating: Array("abcd".utf8), count: 16).flatMap { $0 }))
                == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")
        #expect(OpenSSLDigest.sm3.hash([]).count == 32)
    }

    @Test func hmacSHA256MatchesSwiftCrypto() {
        let key = Array("secret-key".utf8), message = Array("POST\n/api/v1/evaluations".utf8)
        let expected = Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
        #expect(OpenSSLDigest.sha256.hmac(key: key, message) == expected)
        #expect(OpenSSLDigest.sha256.hash(message) == Array(SHA256.hash(data: message)))
    }

    @Test func hmacSM3MatchesTheOpenSSLCommandLine() throws {
        let directory = try TemporaryDirectory(prefix: "hmac-sm3")
        let file = directory.path("message")
        try Data("appMark=k&time=20260302093015".utf8).write(to: URL(fileURLWithPath: file))
        let output = try Self.openssl(["dgst", "-sm3", "-hmac", "secret-key", "-hex", file])
        let ours = Hex.encode(OpenSSLDigest.sm3.hmac(key: Array("secret-key".utf8), Array("appMark=k&time=20260302093015".utf8)))
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix(ours), "openssl: \(output)")
    }

    @Test func sm4IsTheStandardVectorAndRoundTrips() throws {
        // GB/T 32907-2016, appendix A: key = plaintext = 0123456789abcdeffedcba9876543210.
        let key = try #require(Hex.decode("0123456789abcdeffedcba9876543210"))
        let ecb = try SM4Cipher(mode: .ecb, key: key)
        let sealed = try ecb.encrypt(key)
        #expect(Hex.encode(sealed.prefix(16)) == "681edf34d206965e86b3e94f536e4246")
        #expect(sealed.count == 32, "PKCS#7 adds a whole block to an aligned input")
        #expect(try ecb.decrypt(sealed) == key)
        let cbc = try SM4Cipher(mode: .cbc, key: key, iv: Array(repeating: 7, count: 16))
        let text = Array("{\"evaluate\":[\"中文\"]}".utf8)
        #expect(try cbc.decrypt(try cbc.encrypt(text)) == text)
        #expect(try cbc.decrypt(try cbc.encrypt([])) == [])
        #expect(throws: SM4Cipher.Failure.self) { try cbc.decrypt(Array(repeating: 1, count: 16)) }
        #expect(throws: SM4Cipher.Failure.self) { try SM4Cipher(mode: .cbc, key: [1, 2, 3]) }
    }

    @Test func sm4CBCMatchesTheOpenSSLCommandLine() throws {
        let directory = try TemporaryDirectory(prefix: "sm4")
        let plain = directory.path("plain"), sealed = directory.path("sealed")
        try Data("records 记录".utf8).write(to: URL(fileURLWithPath: plain))
        _ = try Self.openssl(["enc", "-sm4-cbc", "-K", "0123456789abcdeffedcba9876543210", "-iv", "000102030405060708090a0b0c0d0e0f",
                              "-in", plain, "-out", sealed])
        let cipher = try SM4Cipher(mode: .cbc, key: Hex.decode("0123456789abcdeffedcba9876543210")!, iv: Array(0..<16))
        let theirs = Array(try Data(contentsOf: URL(fileURLWithPath: sealed)))
        #expect(try cipher.encrypt(Array("records 记录".utf8)) == theirs)
        #expect(try cipher.decrypt(theirs) == Array("records 记录".utf8))
    }

    @Test func sm2SignaturesInteroperateWithTheOpenSSLCommandLine() throws {
        let directory = try TemporaryDirectory(prefix: "sm2")
        let (privatePath, publicPath) = try Self.sm2KeyPair(in: directory)
        let message = Array("appMark=k&evaluate=[{\"a\":1}]".utf8)
        let messagePath = directory.path("message")
        try Data(message).write(to: URL(fileURLWithPath: messagePath))
        let privateKey = try SM2Key(pem: String(contentsOfFile: privatePath, encoding: .utf8))
        let publicKey = try SM2Key(pem: String(contentsOfFile: publicPath, encoding: .utf8))

        // Ours → openssl verifies with the default ID.
        let ours = try privateKey.sign(message)
        let signaturePath = directory.path("ours.sig")
        try Data(ours).write(to: URL(fileURLWithPath: signaturePath))
        let verified = try Self.openssl(["dgst", "-sm3", "-verify", publicPath, "-sigopt", "distid:1234567812345678",
                                         "-signature", signaturePath, messagePath])
        #expect(verified.contains("Verified OK"), "openssl: \(verified)")
        #expect(publicKey.isValid(signature: ours, for: message))
        #expect(!publicKey.isValid(signature: ours, for: message + [0x20]))

        // openssl's → we verify.
        let theirsPath = directory.path("theirs.sig")
        _ = try Self.openssl(["dgst", "-sm3", "-sign", privatePath, "-sigopt", "distid:1234567812345678", "-out", theirsPath, messagePath])
        let theirs = Array(try Data(contentsOf: URL(fileURLWithPath: theirsPath)))
        #expect(publicKey.isValid(signature: theirs, for: message))
        // Signed under another ID: not valid for the default one.
        let otherPath = directory.path("other.sig")
        _ = try Self.openssl(["dgst", "-sm3", "-sign", privatePath, "-sigopt", "distid:ABCDEFGH", "-out", otherPath, messagePath])
        #expect(!publicKey.isValid(signature: Array(try Data(contentsOf: URL(fileURLWithPath: otherPath))), for: message))
        #expect(throws: SM2Key.Failure.self) { try publicKey.sign(message) }
        #expect(throws: SM2Key.Failure.self) { try SM2Key(pem: "not a key") }
    }

    // MARK: Helpers

    /// `openssl genpkey -algorithm SM2` and its public half, as PEM files.
    static func sm2KeyPair(in directory: TemporaryDirectory) throws -> (privatePath: String, publicPath: String) {
        let privatePath = directory.path("sm2.pem"), publicPath = directory.path("sm2.pub.pem")
        _ = try openssl(["genpkey", "-algorithm", "SM2", "-out", privatePath])
        _ = try openssl(["pkey", "-in", privatePath, "-pubout", "-out", publicPath])
        return (privatePath, publicPath)
    }

    struct CommandFailed: Error, CustomStringConvertible { let description: String }

    @discardableResult
    static func openssl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw CommandFailed(description: "openssl \(arguments.joined(separator: " ")): \(text)") }
        return text
    }
}
