import EvalCore
import Foundation

/// Plausible evaluations for tests and benchmarks.
public enum SampleEvaluation {
    /// An evaluation from window `window`; real-name (with an evaluator) when asked.
    public static func make(
        rating: Rating = .verySatisfied,
        window: String = "W01",
        at date: Date = Date(),
        projectNo: String? = nil,
        realName: Bool = false
    ) -> Evaluation {
        Evaluation(
            evaluationId: .make(at: date),
            satisfaction: rating,
            assessedAt: date,
            areaCode: "533103",
            deptCode: "11533103MB0000000X",
            deptName: "芒市政务服务管理局",
            hallCode: "H01",
            windowCode: window,
            deviceId: "usb-1-2:1.0",
            projectNo: projectNo,
            taskCode: "000172009000",
            taskName: "不动产登记",
            evaluatedPersons: [StaffMember(loginName: "zhangwei", name: "张伟")],
            evaluator: realName
                ? Evaluator(userName: PersonalData("李小红"), certKey: PersonalData("533103199001011234"))
                : nil
        )
    }
}
