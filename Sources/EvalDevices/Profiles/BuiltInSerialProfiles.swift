import EvalCore

/// Three serial-bus keypads as examples. **Illustrative**: no vendor publishes
/// its protocol, so these show the shapes real ones take (an ASCII line, a
/// binary push frame with an address and an XOR check, a polled bus with
/// CRC-16/MODBUS); a hall's keypad gets its own profile from learn mode,
/// often by `"extends"` of one of these. They are templates (no VID:PID):
/// a port uses one when `[devices] serial_ports` or a profile file names it.
public enum BuiltInSerialProfiles {
    private static func frame(_ text: String) -> FrameTemplate {
        // Built-ins are checked by ProfileTests; a typo here is a test failure, not a crash in the field.
        (try? FrameTemplate(text)) ?? (try! FrameTemplate("00"))
    }

    /// `#03,5` CR LF: address in two ASCII digits, the key as one digit 1–5
    /// (1 = 非常满意); prompts as text lines in GBK.
    public static let asciiLine = DeviceProfile(
        name: "serial-ascii-line", match: DeviceMatch(), backend: .serial, role: .keypad,
        serial: SerialLayout(
            framing: .line(maxLength: 64),
            address: SerialField(offset: 1, length: 2, ascii: true), key: SerialField(offset: 4, ascii: true),
            ratings: [1: .verySatisfied, 2: .satisfied, 3: .basicallySatisfied, 4: .dissatisfied, 5: .veryDissatisfied],
            outputs: SerialOutputs(
                invite: SerialOutput(frame: frame("'#' {addr:a2} ',I,' {text} 0D 0A"), text: "请您对本次服务做出评价"),
                thanks: SerialOutput(frame: frame("'#' {addr:a2} ',T,' {text} 0D 0A"), text: "感谢您的评价"),
                timeout: SerialOutput(frame: frame("'#' {addr:a2} ',O' 0D 0A")),
                reason: SerialOutput(frame: frame("'#' {addr:a2} ',R,' {text} 0D 0A"), text: "请选择不满意的原因"),
                staff: SerialOutput(frame: frame("'#' {addr:a2} ',S,' {text} 0D 0A"))),
            illustrative: true))

    /// `AA <addr> 4B <key> <xor of bytes 1–3>`, sent by the keypad when a key
    /// goes down; keys 01–05, 01 = 非常满意.
    public static let binaryPush = DeviceProfile(
        name: "serial-binary-push-xor8", match: DeviceMatch(), backend: .serial, role: .keypad,
        serial: SerialLayout(
            framing: .fixed(length: 5, header: [0xAA]), checksum: SerialChecksum(kind: .xor8, from: 1),
            address: SerialField(offset: 1), key: SerialField(offset: 3),
            ratings: [1: .verySatisfied, 2: .satisfied, 3: .basicallySatisfied, 4: .dissatisfied, 5: .veryDissatisfied],
            outputs: SerialOutputs(
                invite: SerialOutput(frame: frame("AA {addr} 01 00 {check}")),
                thanks: SerialOutput(frame: frame("AA {addr} 02 00 {check}")),
                timeout: SerialOutput(frame: frame("AA {addr} 03 00 {check}")),
                reason: SerialOutput(frame: frame("AA {addr} 04 00 {check}")),
                staff: SerialOutput(frame: frame("AB {addr} {textlen} {text} {check}"))),
            illustrative: true))

    /// Polled: evald sends `AA <addr> 50 <crc>`; the keypad answers
    /// `55 <addr> 06 <key> <crc lo> <crc hi>` (byte 2 the frame's length, key
    /// 00 = none). This model numbers the other way: 05 = 非常满意.
    public static let polledModbus = DeviceProfile(
        name: "serial-polled-crc16", match: DeviceMatch(), backend: .serial, role: .keypad,
        serial: SerialLayout(
            framing: .headerLength(header: [0x55], lengthOffset: 2, lengthAdjust: 0), checksum: SerialChecksum(kind: .crc16Modbus),
            address: SerialField(offset: 1), key: SerialField(offset: 3),
            ratings: [5: .verySatisfied, 4: .satisfied, 3: .basicallySatisfied, 2: .dissatisfied, 1: .veryDissatisfied], noKey: 0,
            mode: .polled, poll: PollSettings(frame: frame("AA {addr} 50 {check}")),
            outputs: SerialOutputs(
                invite: SerialOutput(frame: frame("AA {addr} 01 {textlen} {text} {check}"), text: "请评价"),
                thanks: SerialOutput(frame: frame("AA {addr} 02 {textlen} {text} {check}"), text: "谢谢"),
                timeout: SerialOutput(frame: frame("AA {addr} 03 00 {check}")),
                reason: SerialOutput(frame: frame("AA {addr} 04 {textlen} {text} {check}"), text: "请选择原因"),
                staff: SerialOutput(frame: frame("AA {addr} 05 {textlen} {text} {check}"))),
            illustrative: true))

    public static let all = [asciiLine, binaryPush, polledModbus]
}
