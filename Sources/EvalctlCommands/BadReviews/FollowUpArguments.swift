import ArgumentParser
import EvalCore
import EvalOperator
import Foundation

extension CivilDate: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

extension Verification: EnumerableFlag {}
extension CallBackResult: ExpressibleByArgument {}

/// Today in Asia/Shanghai, or `--today` (hidden; tests pin the day).
func civilToday(_ pinned: CivilDate?) -> CivilDate { pinned ?? ShanghaiTime.civilDate(Date()) }

/// What every follow-up verb shares: the review, the day, who did it, and the
/// audited write (through evald when it runs, else through the store under the instance lock).
struct FollowUpArguments: ParsableArguments {
    @OptionGroup var options: GlobalOptions
    @Argument(help: "The bad review's evaluationId, or the short id bad-reviews list shows.")
    var id: String
    @Option(help: "The day it was done (yyyy-MM-dd, Asia/Shanghai); default today.")
    var date: CivilDate?
    @Option(help: "Who did it; default the operator running evalctl.")
    var by: String?

    func record(_ action: FollowUpStep.Action) async throws {
        let context = try options.context()
        let evaluationId = try EvaluationIdArgument.resolve(id, reader: context.reader)
        let step = FollowUpStep(action, on: civilToday(date), by: by ?? AuditLog.claimedName ?? "operator")
        do {
            print(try await FollowUpRecording.perform(step, id: evaluationId, context: context))
        } catch {
            throw Failure("\(error)")
        }
    }
}
