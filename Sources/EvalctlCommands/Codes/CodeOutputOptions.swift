import ArgumentParser
import EvalCore
import EvalOperator
import Foundation

/// What every `codes` verb shares: the configuration (key and scan rules) and the image.
struct CodeOutputOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "evald's configuration file (for [sessions] code_key_file and scan_rules_file).")
    var config: String = AgentConfiguration.defaultPath

    @Option(help: "Also write the code as a QR image to this new PNG file (mode 0600; an existing file is never overwritten).")
    var png: String?

    /// Signs `code`, checks that the configured rules take it as meant,
    /// prints it, and writes the image when asked.
    func emit(_ code: CounterCode) throws {
        do {
            try code.validate()
        } catch {
            throw ValidationError(error.description)
        }
        let configuration: AgentConfiguration
        do {
            configuration = try ConfigurationLoader.load(path: config).get()
        } catch {
            throw Failure(error.description)
        }
        let authenticator: HMACCodeAuthenticator
        let rules: ScanRuleSet
        do {
            guard let key = try configuration.codeAuthenticator() else {
                throw Failure("\(config): [sessions] code_key_file is not set: signed codes need the hall's key (docs/install.md, \"The code key\")")
            }
            authenticator = key
            rules = try configuration.scanRules()
        } catch let error as DaemonError {
            throw Failure(error.description)
        }
        let text = code.signed(with: authenticator)
        for gap in rules.signingGaps { warn(gap) }
        switch rules.classify(text) {
        case .recognized(let scan, let ruleName) where scan == code.scan:
            if rules.rules.first(where: { $0.name == ruleName })?.signed != true {
                warn("rule \(ruleName) of \(configuration.sessions.scanRulesFile) takes this code but is not signed: the same code without its signature works too (add \"signed\": true)")
            }
        case .recognized(_, let ruleName):
            throw Failure("the scan rules of \(configuration.sessions.scanRulesFile) take this code as something else (rule \(ruleName)); not printed")
        case .ignored(let rejection):
            let hint = rejection.reason == .unrecognized ? " (is the rule that reads these codes marked \"signed\": true?)" : ""
            throw Failure("the scan rules of \(configuration.sessions.scanRulesFile) would refuse this code (\(rejection))\(hint); not printed")
        }
        if let png {
            let matrix: QRCodeMatrix
            do {
                matrix = try QRCodeMatrix(encoding: text)
            } catch {
                throw Failure(error.description)
            }
            do {
                try PrivateFile.create(png, contents: PNGImage.qrCode(matrix))
            } catch let error as PrivateFile.Exists {
                throw Failure("\(error.path) exists: choose a new file name (a code image never overwrites)")
            } catch {
                throw Failure("cannot write \(png): \(error)")
            }
        }
        print(text)
    }

    private func warn(_ message: String) {
        FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
    }
}
