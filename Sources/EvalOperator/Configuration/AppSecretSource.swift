#if canImport(Glibc)
import EvalPlatform
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// Where evald reads the app secret, and whether it can: one answer for the
/// daemon's start, `evald --check-config`, `evalctl selftest` and postinst.
///
/// Order: `[platform] app_secret_file` when set; else the systemd credential
/// `app_secret_credential` — `$CREDENTIALS_DIRECTORY/<name>` inside the unit,
/// and, from a shell (no `$CREDENTIALS_DIRECTORY`), the file the packaged unit
/// loads it from (`LoadCredential=app-secret:/etc/evald/app-secret`).
public struct AppSecretSource: Sendable, Equatable, CustomStringConvertible {

    public enum Kind: Sendable, Equatable {
        case file
        case credential(String)
        case credentialSource(String)
    }

    public var kind: Kind
    public var path: String
    /// `[platform] adapter`: an sm2-sm3 definition wants a PEM key here, an SM4 `secret-hex` one 32 hex digits.
    public var adapter: String = "evald-json/1"

    public init(platform: PlatformSection, environment: [String: String] = ProcessInfo.processInfo.environment) {
        adapter = platform.adapter
        if let file = platform.appSecretFile {
            kind = .file
            path = file
        } else if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty {
            kind = .credential(platform.appSecretCredential)
            path = (directory as NSString).appendingPathComponent(platform.appSecretCredential)
        } else {
            kind = .credentialSource(platform.appSecretCredential)
            // The packaged unit loads credential `app-secret` from /etc/evald/app-secret;
            // a renamed credential is looked for beside it.
            path = "/etc/evald/" + platform.appSecretCredential
        }
    }

    public var description: String {
        switch kind {
        case .file: "[platform] app_secret_file \(path)"
        case .credential(let name): "systemd credential \(name) (\(path))"
        case .credentialSource(let name): "\(path) (the unit passes it as systemd credential \(name))"
        }
    }

    /// Why the secret cannot be used, with what to do; nil when it can.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Reads the secret: present, readable, not empty (a trailing newline
    /// from `echo secret > file` is not part of it).
    public func load() throws(Problem) -> AppSecret {
        let put = "put the platform's app secret there (one line, mode 0600): sudo install -m 0600 /dev/stdin \(path)"
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = access(path, F_OK) != 0 ? "missing" : "not readable by this user (permission denied; run as root)"
            let hint = access(path, F_OK) != 0 ? "; \(put)" : ""
            throw Problem(description: "app secret \(self): \(reason)\(hint)")
        }
        var text = String(decoding: data, as: UTF8.self)
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        guard !text.isEmpty else {
            throw Problem(description: "app secret \(self): the file is empty; \(put)")
        }
        return AppSecret(text)
    }

    /// The check as a configuration issue, for `--check-config`.
    public func issue() -> ConfigurationIssue? {
        let secret: AppSecret
        do {
            secret = try load()
        } catch {
            return ConfigurationIssue(location: "[platform] app secret", message: error.description)
        }
        // The definition's key material (an SM2 PEM key, an SM4 key) made from it, as the forwarder will.
        guard let definition = try? AdapterDefinition.resolve(adapter) else { return nil }
        do {
            _ = try DefinedAdapter(definition: definition, appKey: "check", secret: secret)
            return nil
        } catch {
            return ConfigurationIssue(location: "[platform] app secret", message: "app secret \(self): \(error)")
        }
    }
}
