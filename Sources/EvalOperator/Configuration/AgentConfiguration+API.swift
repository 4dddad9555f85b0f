import Foundation

extension AgentConfiguration {
    /// Where the API's bearer token comes from: `[api] token_file`, else the
    /// systemd credential (`$CREDENTIALS_DIRECTORY/api-token`), else the file
    /// the packaged unit loads it from (/etc/evald/api-token).
    public func apiTokenPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let file = api.tokenFile { return file }
        if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty {
            return (directory as NSString).appendingPathComponent(api.tokenCredential)
        }
        return "/etc/evald/" + api.tokenCredential
    }
}
