import EvalDevices
import Foundation

// Fuzz target for the pure decoders. Built with
//   swift build -c release -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library \
//     -Xswiftc -DEVALD_FUZZING --product evald-fuzz-decoders
// libFuzzer's driver calls LLVMFuzzerTestOneInput. In a normal build
// (no fuzzer) it is a plain executable that feeds each file named on the
// command line through the same entry point, so crashes found by the fuzzer
// can be replayed in a debug build.

/// Byte 0 picks the decoder; the rest is its input. Selectors 0xC0 and up
/// are the serial frame decoder (below them, the older decoders as before,
/// so their corpora keep their meaning).
func fuzzOne(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let selector = bytes.first else { return }
    let body = Array(bytes.dropFirst())
    if selector >= 0xC0 {
        _ = SerialFuzz.run(body)
        return
    }
    switch selector % 3 {
    case 0:
        // Report decoder: the first 4 bytes shape the layout, the rest are reports split by length bytes.
        guard body.count >= 4 else { return }
        let layout = ReportLayout(
            length: body[0] & 1 == 0 ? nil : Int(body[0] >> 4), reportId: body[1] & 1 == 0 ? nil : body[1],
            offset: Int(body[2] % 16), mask: body[3], bitmap: body[0] & 2 != 0,
            values: (1...5).map { ReportValue(value: UInt8($0) &* 3, button: $0) })
        var decoder = ReportDecoder(layout: layout)
        var rest = body.dropFirst(4)
        while let length = rest.first {
            rest = rest.dropFirst()
            let report = Array(rest.prefix(Int(length % 32)))
            rest = rest.dropFirst(report.count)
            for output in decoder.feed(report) {
                if case .button(let number) = output { precondition((1...8).contains(number)) }
            }
        }
    case 1:
        // Keystroke decoder: 3 bytes per event (code, action, time step in ms).
        var decoder = KeystrokeDecoder(settings: ScanSettings(terminator: .enter, interKeyTimeoutMilliseconds: 50, maxLength: 64))
        var time = 0.0
        var index = 0
        while index + 3 <= body.count {
            time += Double(body[index + 2]) / 1000
            let action = KeyEvent.Action(rawValue: Int32(body[index + 1] % 3)) ?? .press
            for output in decoder.feed(KeyEvent(code: UInt16(body[index]), action: action, time: time)) {
                if case .text(let text) = output { precondition(text.count <= 64) }
            }
            index += 3
        }
        _ = decoder.flush(at: time + 1)
    default:
        // Profile JSON and the simulated keypad's line parser.
        let text = String(decoding: body, as: UTF8.self)
        _ = SimulatedKeypad.parse(text)
        _ = ProfileCatalog.decodeForFuzzing(Data(body))
    }
}

#if EVALD_FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerEntry(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzOne(UnsafeBufferPointer(start: data, count: size))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM links an executable with `main` aliased to `<module>_main`, which
/// hides libFuzzer's own main; this one hands control to libFuzzer's driver.
@_cdecl("evald_fuzz_decoders_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv) { data, size in fuzzerEntry(data, size) }
}
#else
@main
struct ReplayFuzzInputs {
    static func main() throws {
        // `--random-serial N [SEED]`: N random inputs through the serial frame
        // decoder, without libFuzzer (any build); prints what it saw.
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "--random-serial" {
            let count = arguments.count > 1 ? Int(arguments[1]) ?? 1_000_000 : 1_000_000
            let seed = arguments.count > 2 ? UInt64(arguments[2]) ?? 1 : 1
            let totals = SerialFuzz.random(count: count, seed: seed)
            print("serial decoder: \(count) random inputs (seed \(seed)), \(totals.bytes) bytes, \(totals.presses) presses, all from whole frames in the input with a fitting checksum; no crash")
            return
        }
        for path in arguments {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            data.withUnsafeBytes { fuzzOne($0.bindMemory(to: UInt8.self)) }
            print("ok \(path)")
        }
    }
}
#endif
