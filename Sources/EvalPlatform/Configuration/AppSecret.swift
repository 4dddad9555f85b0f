import Foundation

/// The app secret shared with the platform. It never appears in a log line,
/// `print`, `dump` or error message; only the signer reads the bytes.
public struct AppSecret: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let bytes: [UInt8]

    public init(_ text: String) { bytes = Array(text.utf8) }

    var revealedBytes: [UInt8] { bytes }
    public var isEmpty: Bool { bytes.isEmpty }

    public var description: String { "<secret>" }
    public var debugDescription: String { "AppSecret(<secret>)" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}

/// Where the secret comes from: a file named in the configuration, else a
/// systemd credential (`LoadCredential=`/`SetCredentialEncrypted=` put it in
/// `$CREDENTIALS_DIRECTORY/<name>`). Never argv (visible in `ps`), never the
/// environment (inherited, dumped by crash reporters).
public enum SecretLoader {
    public static let defaultCredentialName = "uplink-app-secret"

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func load(
        file: String?,
        credentialName: String = defaultCredentialName,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> AppSecret {
        let path: String
        if let file {
            path = file
        } else if let directory = environment["CREDENTIALS_DIRECTORY"] {
            path = (directory as NSString).appendingPathComponent(credentialName)
        } else {
            throw Failure(description: "no app secret: set [platform] app_secret_file or provide the systemd credential '\(credentialName)'")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "cannot read the app secret file \(path)")
        }
        // A trailing newline from `echo secret > file` is not part of the secret.
        var text = String(decoding: data, as: UTF8.self)
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        guard !text.isEmpty else { throw Failure(description: "the app secret file \(path) is empty") }
        return AppSecret(text)
    }
}
