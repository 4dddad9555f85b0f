import EvalDevices
import Foundation
import Logging

/// `evalctl devices watch --tty /dev/ttyUSB0 [--line "9600 8N1" | --try-common]`:
/// a serial keypad's raw bytes, one burst per line (the line's silence ends
/// a burst) with its time since the start and since the previous burst, so
/// a technician sees the frame length, the delimiter and which byte moves.
enum DevicesWatchTTY {
    static func run(tty: String, lines: [LineSettings], seconds: Double?) async {
        var logger = Logger(label: "evalctl.devices")
        logger.logLevel = .warning
        let start = ContinuousClock.now
        for line in lines {
            print("watching \(tty) at \(line.summary)\(seconds.map { " for \(Int($0)) s" } ?? "") (Ctrl-C to stop)…")
            fflush(nil)
            let reader = SerialReader.raw(node: tty, line: line, logger: logger)
            let (stream, continuation) = AsyncStream<DeviceOutput>.makeStream()
            let task = Task {
                await reader.run { continuation.yield($0) }
                continuation.finish()
            }
            let timer = Task {
                guard let seconds else { return }
                try await Task.sleep(for: .seconds(seconds))
                task.cancel()
            }
            var last: ContinuousClock.Instant?
            var bursts = 0
            for await output in stream {
                switch output {
                case .raw(_, .report(let bytes)):
                    let now = ContinuousClock.now
                    let since = last.map { " +\(milliseconds(now - $0)) ms" } ?? ""
                    last = now
                    bursts += 1
                    let ascii = String(bytes.map { (0x20...0x7E).contains($0) ? Character(UnicodeScalar($0)) : "." })
                    print("t=\(milliseconds(now - start)) ms\(since)  \(bytes.count) bytes  \(bytes.map { String(format: "%02x", $0) }.joined(separator: " "))  |\(ascii)|")
                case .event(.problem(_, let message, let hint)):
                    print("problem: \(message)\(hint.map { " (hint: \($0))" } ?? "")")
                default:
                    continue
                }
                fflush(nil)
            }
            timer.cancel()
            if lines.count > 1 { print("\(line.summary): \(bursts) bursts") }
        }
    }

    static func milliseconds(_ duration: Duration) -> Int { Int(duration / .milliseconds(1)) }
}
