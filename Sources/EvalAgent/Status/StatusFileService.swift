import EvalOperator
import Foundation
import Logging
import ServiceLifecycle

/// Keeps the status file current: written at start and on every change
/// (coalesced), never on a timer, so an idle daemon does not wake up for it.
/// evalctl tells a live daemon from a file left by a dead one by the instance
/// lock, not by the file's age. Removes the file on a clean stop.
public struct StatusFileService: Service {
    let board: StatusBoard
    let path: String
    let logger: Logger

    public init(board: StatusBoard, path: String, logger: Logger) {
        self.board = board
        self.path = path
        self.logger = logger
    }

    public func run() async throws {
        write()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in board.changes.cancelOnGracefulShutdown() {
                    write()
                    // Coalesce bursts (a flood of presses) into one write per 200 ms.
                    try? await Task.sleep(for: .milliseconds(200))
                }
            }
            await gracefulShutdownOrCancel()
            group.cancelAll()
        }
        board.update(notify: false) { $0.phase = "stopped" }
        try? FileManager.default.removeItem(atPath: path)
    }

    private func write() {
        var status = board.snapshot()
        status.updatedAt = Date()
        do {
            try status.write(to: path)
        } catch {
            logger.warning("cannot write status file \(path): \(error)")
        }
    }
}

/// Waits until graceful shutdown or cancellation.
func gracefulShutdownOrCancel() async {
    try? await gracefulShutdown()
}
