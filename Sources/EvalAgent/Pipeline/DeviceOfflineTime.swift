import EvalOperator
import Foundation

extension AgentStatus.Device {
    /// Keeps `offlineSince` and `offlineSeconds` in step with `online`
    /// (issue 25 item 7): an operator tells "nobody rated" from "nobody could
    /// rate" by the window's evaluator's offline time.
    mutating func trackOffline(wasOnline: Bool, at now: Date) {
        if online, let since = offlineSince {
            offlineSeconds = (offlineSeconds ?? 0) + max(0, now.timeIntervalSince(since))
            offlineSince = nil
        } else if !online, wasOnline || offlineSince == nil, windowCode != nil {
            offlineSince = offlineSince ?? now
        }
    }

    /// Seconds offline since evald started, the current stretch included.
    func offlineTotal(at now: Date) -> Double {
        (offlineSeconds ?? 0) + (offlineSince.map { max(0, now.timeIntervalSince($0)) } ?? 0)
    }
}
