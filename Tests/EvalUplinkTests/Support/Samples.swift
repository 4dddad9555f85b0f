import EvalCore
import Foundation

enum Samples {
    /// 2026-03-02 09:30:15 in Shanghai.
    static let instant = Date(timeIntervalSince1970: 1_772_415_015)

    static func evaluation(
        _ rating: Rating = .verySatisfied,
        window: String = "W01",
        realName: Bool = false,
        at date: Date = Date()
    ) -> Evaluation {
        Evaluation(
            evaluationId: .make(at: date),
            satisfaction: rating,
            assessedAt: date,
            areaCode: "533103",
            deptCode: "11533103MB0123456X",
            deptName: "芒市政务服务管理局",
            hallCode: "H01",
            windowCode: window,
            deviceId: "usb-1-1.2",
            evaluatedPersons: [StaffMember(loginName: "zhangsan", name: "张三")],
            evaluator: realName ? Evaluator(userName: PersonalData("李四"), certKey: PersonalData("533103199001011234")) : nil
        )
    }

    static func batch(_ count: Int, badEvery: Int = 0) -> [Evaluation] {
        (0..<count).map { i in
            evaluation(badEvery > 0 && i % badEvery == 0 ? .dissatisfied : .satisfied, window: "W\(i % 7)")
        }
    }
}
