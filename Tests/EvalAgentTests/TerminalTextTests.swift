import EvalOperator
import Testing

/// Issue 24, item 7: what evalctl prints from outside (a USB descriptor
/// string, the platform's reason, a scan) cannot drive the operator's terminal.
@Suite struct TerminalTextTests {
    @Test func controlsAndBidiOverridesBecomeVisibleEscapes() {
        // Set the window title, clear the screen, a C1 CSI, and a right-to-left override.
        let hostile = "键盘\u{1B}]0;pwned\u{07}\u{1B}[2J\u{9B}31m\u{202E}gnp.exe"
        let shown = TerminalText.escaped(hostile)
        #expect(!shown.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0.value == 0x202E })
        #expect(shown == #"键盘\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{202e}gnp.exe"#)
    }

    @Test func ordinaryTextIsLeftAlone() {
        for text in ["芒市政务服务管理局", "taskCode unknown (E1032)", "usb-1-2:1.0 1a86:7523", ""] {
            #expect(TerminalText.escaped(text) == text)
        }
    }

    @Test func aTableEscapesEveryCell() {
        let table = TextTable(header: ["DEVICE", "NAME"], rows: [["usb-1", "Keypad\u{1B}[31m"]]).render()
        #expect(!table.contains("\u{1B}"))
        #expect(table.contains(#"Keypad\u{1b}[31m"#))
    }
}
