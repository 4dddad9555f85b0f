#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import EvalOperator
import EvalQueue
import Foundation

/// How evalctl words a failure: one `error:` prefix, no Foundation dump
/// (`NSCocoaErrorDomain Code=4 …`), and a hint where there is a next step.
enum ErrorReport {
    static func message(for error: any Error) -> String {
        var text: String
        switch error {
        case let error as SQLiteError: text = sqlite(error)
        case let error as CocoaError: text = foundation(error as NSError)
        case let error as any CustomStringConvertible where !(type(of: error) is NSError.Type): text = error.description
        default: text = foundation(error as NSError)
        }
        while text.hasPrefix("error: ") { text.removeFirst("error: ".count) }
        return "error: " + text
    }

    /// `NSCocoaErrorDomain Code=4 "…" UserInfo={NSFilePath=…, NSUnderlyingError=…}` → the path and the POSIX reason.
    static func foundation(_ error: NSError) -> String {
        let path = (error.userInfo[NSFilePathErrorKey] as? String) ?? (error.userInfo[NSURLErrorKey] as? URL)?.path
        let verb = switch error.code {
        case 256..<512: "cannot read"
        case 512..<1024: "cannot write"
        default: "cannot use"
        }
        return path.map { "\(verb) \($0): \(reason(error))" } ?? reason(error)
    }

    /// The operating system's words for a Foundation file error, plus the permission hint.
    static func reason(_ error: any Error) -> String {
        let error = error as NSError
        let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError
        var posix: Int32? = underlying?.domain == NSPOSIXErrorDomain ? Int32(underlying!.code)
            : error.domain == NSPOSIXErrorDomain ? Int32(error.code) : nil
        if posix == nil, error.domain == NSCocoaErrorDomain {
            switch error.code {
            case 4, 260: posix = ENOENT
            case 257, 513: posix = EACCES
            case 640: posix = ENOSPC
            case 642: posix = EROFS
            default: break
            }
        }
        guard let posix else { return error.localizedDescription }
        let text = String(cString: strerror(posix))
        return posix == EACCES || posix == EPERM ? text + " (run with sudo, or as a member of group evald)" : text
    }

    /// A damaged queue gets the recovery pointer.
    static func sqlite(_ error: SQLiteError) -> String {
        OperatorError.isDamage(error) ? OperatorError.damagedQueue(nil, error).description : error.description
    }

    /// A command line argument-parser refused: its message and usage, with
    /// evalctl's one lowercase `error:` prefix instead of its `Error:`;
    /// `--help` and `--version` (exit 0) exactly as argument-parser prints them.
    static func exitForUsage(_ error: any Error, command: any ParsableCommand.Type) -> Never {
        let code = command.exitCode(for: error)
        guard code != .success else { command.exit(withError: error) }
        var text = command.fullMessage(for: error)
        if text.hasPrefix("Error: ") { text = "error: " + text.dropFirst("Error: ".count) }
        FileHandle.standardError.write(Data((text + "\n").utf8))
        Glibc.exit(code.rawValue)
    }

    /// Prints an error `run()` threw and exits 1; argument-parser's own
    /// (`ExitCode`, `--help`, a verb group run without a verb) as it does them.
    static func exit(_ error: any Error, command: any ParsableCommand.Type) -> Never {
        let fromArgumentParser = String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
        switch error {
        case _ where fromArgumentParser: command.exit(withError: error)
        default:
            FileHandle.standardError.write(Data((message(for: error) + "\n").utf8))
            Glibc.exit(1)
        }
    }
}
