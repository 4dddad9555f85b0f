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
//       Opens the store, opens case <projectNo> and rates it with a citizen's
//       bad review — `atomic`: through the daemon's own `SessionDriver` (the
//       evaluation and its ledger rows in one transaction); `separate`: a plain
//       enqueue without ledger rows, as an older agent left files — prints the
//       evaluation id, then waits to be SIGKILLed.
import EvalCore
import EvalQueue
import EvalSession
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
    let policy = BadReviewPolicy(calendar: .mondayToFriday)
    let scheduler = DefaultRatingScheduler(calendar: .mondayToFriday)
    let driver = SessionDriver(store: queue, scheduler: scheduler, badReviewPolicy: policy, observer: SilentSessionObserver())
    let now = Date()
    let window = WindowConfiguration(areaCode: "533103", deptCode: "11533103MB0000000X", hallCode: "H01", windowCode: "W01")
    let opening = CaseOpening(ticket: CaseTicket(projectNo: projectNo, taskCode: "T1"), window: window,
                              staff: [StaffMember(loginName: "zhangwei", name: "张伟")], deviceId: "kbd-1", openedAt: now)
    try await queue.openCase(opening, due: scheduler.due(openedAt: now))
    let evaluation = SampleEvaluation.make(rating: .veryDissatisfied, at: now, projectNo: projectNo, realName: true)
    if arguments[4] == "atomic" {
        guard await driver.accept(evaluation) else { exit(1) }
    } else {
        try await queue.enqueue(evaluation)
    }
    emit(evaluation.evaluationId.description)
    // The test kills us here.
    try await Task.sleep(for: .seconds(60))
    queue.close()
case "powercut":
    let seed = arguments.count > 3 ? UInt64(arguments[3]) ?? 1 : 1
    exit(try await PowerCut.run(directory: path, seed: seed))
default:
    FileHandle.standardError.write(Data("unknown mode \(arguments[1])\n".utf8))
    exit(2)
}
