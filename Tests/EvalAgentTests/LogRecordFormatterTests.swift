#if canImport(Glibc)
import Glibc
#endif
@testable import EvalAgent
import Foundation
import Logging
import Testing

/// One record is one line, whatever a scan holds (issue 12: a NUL cut a
/// record, U+202E reached the journal, a 1 MiB line was logged whole).
@Suite("log records: escaped, capped, prefixed only for the journal")
struct LogRecordFormatterTests {
    func line(_ message: String, metadata: Logger.Metadata = [:], prefix: Bool = false) -> String {
        LogRecordFormatter.line(level: .warning, label: "evald", message: message, metadata: metadata, priorityPrefix: prefix)
    }

    @Test func controlAndBidiCharactersAreEscaped() {
        let record = line("scan \u{0}NUL \u{202E}evil\u{202C} bell\u{7} c1\u{85} esc\u{1B}[31m\nnext", metadata: ["code": "a\u{0}b\u{2066}"])
        #expect(record == "evald: scan \\x00NUL \\u{202E}evil\\u{202C} bell\\x07 c1\\x85 esc\\x1B[31m\\nnext code=a\\x00b\\u{2066}\n")
        #expect(record.utf8.filter { $0 == 0x0A }.count == 1, "exactly one newline, at the end")
        #expect(!record.utf8.contains(0))
        #expect(!record.unicodeScalars.contains { (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value) })
    }

    @Test func aBackslashIsEscapedSoEscapesAreUnambiguous() {
        #expect(LogRecordFormatter.escape("a\\x00") == "a\\\\x00")
    }

    @Test func chineseAndOrdinaryTextPassUnchanged() {
        #expect(line("评价 非常满意 window=W01") == "evald: 评价 非常满意 window=W01\n")
    }

    @Test func everyFieldIsCappedWithItsOriginalSize() {
        let huge = String(repeating: "A", count: 1 << 20)
        let record = line(huge, metadata: ["scan": .string(huge)])
        #expect(record.utf8.count < 3 * LogRecordFormatter.fieldCap)
        #expect(record.contains("…(1048576 bytes)"))
        #expect(record.components(separatedBy: "…(1048576 bytes)").count == 3, "message and metadata value both capped")
        // A cut never splits a character.
        let chinese = LogRecordFormatter.escape(String(repeating: "满", count: 1000), cap: 10)
        #expect(chinese == "满满满…(3000 bytes)")
        #expect(LogRecordFormatter.escape(String(repeating: "x", count: 10), cap: 10) == String(repeating: "x", count: 10))
    }

    @Test func thePriorityPrefixOnlyWhenAsked() {
        #expect(line("m", prefix: true) == "<4>evald: m\n")
        #expect(line("m", prefix: false) == "evald: m\n")
    }

    @Test func journalStreamMustMatchStandardError() {
        var info = stat()
        #expect(fstat(STDERR_FILENO, &info) == 0)
        #expect(JournalStream.isStandardError(environment: ["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino)"]))
        #expect(!JournalStream.isStandardError(environment: ["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino &+ 1)"]))
        #expect(!JournalStream.isStandardError(environment: ["JOURNAL_STREAM": "garbage"]))
        #expect(!JournalStream.isStandardError(environment: [:]))
    }
}
