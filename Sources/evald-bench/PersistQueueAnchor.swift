import EvalTesting
import Foundation

/// Runs `scripts/persist-queue-anchor.py` (persist-queue 1.1.0's
/// SQLiteAckQueue, WAL, synchronous=FULL, one thread) in `directory`, the
/// disk the queue benchmark uses; nil when python3 or persist-queue is missing.
enum PersistQueueAnchor {
    static func putsPerSecond(directory: String, count: Int = 2_000) async -> Double? {
        let script = BuiltProducts.packageRoot.appendingPathComponent("scripts/persist-queue-anchor.py").path
        guard let run = try? await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/env"),
                                                    arguments: ["python3", script, "--count", "\(count)", "--dir", directory],
                                                    timeout: .seconds(600)),
              run.status == 0 else { return nil }
        return run.stdout.split(separator: " ").first.flatMap { Double($0) }
    }
}
