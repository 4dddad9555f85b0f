// A helper process for the queue's crash and concurrency tests (not shipped).
//
//   evalq-crash-probe enqueue <path> [producers] [limit]
//       N concurrent producers enqueue fresh evaluations; after each enqueue
//       RETURNS, the evaluation id is written to stdout (one line, unbuffered).
//       A test SIGKILLs it mid-stream: every printed id must survive.
//   evalq-crash-probe watch <path> <until-total>
//       Prints "total pending inflight delivered rejected" from a read-only
//       connection, one snapshot per line, as fast as it can, until the queue
//       holds <until-total> records (or a minute passed).
//   evalq-crash-probe rate <path> <projectNo> atomic|separate
//       Opens the queue and the case ledger, opens case <projectNo>, enqueues a
//       citizen's bad review of it (`atomic`: with its ledger rows in the same
//       transaction; `separate`: the plain enqueue the agent used before), prints
//       the evaluation id, then waits to be SIGKILLed before its own
//       `ledger.record(.emit)`: the crash between the two steps.
import EvalCore
import EvalQueue
import EvalTesting
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One `write(2)` per line: a line is either wholly on the pipe or not at all.
func emit(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    bytes.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let n = write(1, buffer.baseAddress! + offset, buffer.count - offset)
            if n <= 0 { exit(3) }
            offset += n
        }
    }
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: evalq-crash-probe enqueue|watch <path> [...]\n".utf8))
    exit(2)
}
let path = arguments[2]

switch arguments[1] {
case "enqueue":
    let producers = arguments.count > 3 ? Int(arguments[3]) ?? 4 : 4
    let limit = arguments.count > 4 ? Int(arguments[4]) ?? Int.max : Int.max
    let queue = try EvaluationQueue(configuration: QueueConfiguration(path: path, minFreeBytes: 0))
    await withThrowingTaskGroup(of: Void.self) { group in
        for producer in 0..<producers {
            group.addTask {
                var made = 0
                while made < limit {
                    let rating: Rating = made % 5 == 0 ? .dissatisfied : .verySatisfied
                    let evaluation = SampleEvaluation.make(rating: rating, window: "P\(producer)")
                    try await queue.enqueue(evaluation)
                    emit(evaluation.evaluationId.description)
                    made += 1
                }
            }
        }
        while let result = await group.nextResult() {
            if case .failure(let error) = result {
                FileHandle.standardError.write(Data("enqueue failed: \(error)\n".utf8))
                exit(1)
            }
        }
    }
    queue.close()
case "watch":
    let untilTotal = arguments.count > 3 ? Int(arguments[3]) ?? 100 : 100
    let reader = try QueueReader(path: path)
    let giveUp = Date().addingTimeInterval(60)
    while Date() < giveUp {
        let s = try reader.snapshot()
        emit("\(s.total) \(s.count(.pending)) \(s.count(.inflight)) \(s.count(.delivered)) \(s.count(.rejected))")
        if s.total >= untilTotal { break }
    }
case "rate":
    guard arguments.count >= 5 else { exit(2) }
    let projectNo = arguments[3]
    let queue = try EvaluationQueue(configuration: QueueConfiguration(path: path, minFreeBytes: 0))
    let ledger = try CaseLedger(path: path)
    let policy = BadReviewPolicy(calendar: .mondayToFriday)
    let scheduler = DefaultRatingScheduler(calendar: .mondayToFriday)
    let now = Date()
    let window = WindowConfiguration(areaCode: "533103", deptCode: "11533103MB0000000X", hallCode: "H01", windowCode: "W01")
    let opening = CaseOpening(ticket: CaseTicket(projectNo: projectNo, taskCode: "T1"), window: window,
                              staff: [StaffMember(loginName: "zhangwei", name: "张伟")], deviceId: "kbd-1", openedAt: now)
    try ledger.record(.openCase(opening), scheduler: scheduler, badReviewPolicy: policy)
    let evaluation = SampleEvaluation.make(rating: .veryDissatisfied, at: now, projectNo: projectNo, realName: true)
    if arguments[4] == "atomic" {
        try await queue.enqueue(evaluation, ledger: CaseLedgerUpdate(evaluation, badReviewPolicy: policy))
    } else {
        try await queue.enqueue(evaluation)
    }
    emit(evaluation.evaluationId.description)
    // The test kills us here, before the ledger step; if it does not, finish normally.
    try await Task.sleep(for: .seconds(60))
    try ledger.record(.emit(evaluation), scheduler: scheduler, badReviewPolicy: policy)
    queue.close()
default:
    FileHandle.standardError.write(Data("unknown mode \(arguments[1])\n".utf8))
    exit(2)
}
