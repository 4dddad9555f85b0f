import EvalCore
import EvalQueue
import EvalSession
import Foundation

/// A `SessionDriverObserver` for probes, benchmarks and fixtures: silent,
/// except that what the store refused or could not write goes to stderr.
public struct SilentSessionObserver: SessionDriverObserver {
    public init() {}
    public func stored(_ evaluation: Evaluation, result: EnqueueResult) {}
    public func refused(_ evaluation: Evaluation, error: any Error) { FileHandle.standardError.write(Data("refused: \(error)\n".utf8)) }
    public func filtered(_ press: FilteredPress) {}
    public func caseOpened(_ opening: CaseOpening, due: DefaultRatingScheduler.Due) {}
    public func writeFailed(_ what: String, error: any Error) { FileHandle.standardError.write(Data("\(what): \(error)\n".utf8)) }
    public func ledgerUnavailable(projectNo: String, error: any Error) {}
    public func defaultsApplied(_ pass: DefaultPass) {}
    public func log(_ event: SessionEvent) {}
}
