import CQRencode
import Foundation

/// The modules of a QR code (libqrencode, error correction M, one byte-mode
/// segment, so a UTF-8 name like 李四 is encoded as its bytes, declared UTF-8
/// by an ECI header).
public struct QRCodeMatrix: Sendable, Equatable {
    /// Modules per side.
    public let size: Int
    /// Row-major, `true` for a dark module.
    public let modules: [Bool]

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public init(size: Int, modules: [Bool]) {
        precondition(modules.count == size * size)
        self.size = size
        self.modules = modules
    }

    /// UTF-8's ECI designator: without it a reader guesses the byte segment's
    /// charset (zbar takes 李四 for Shift JIS and `~` for `‾`).
    static let utf8ECI: UInt32 = 26

    public init(encoding text: String) throws(Failure) {
        let failure = { () -> Failure in
            let reason = errno == ERANGE ? "too long for a QR code" : String(cString: strerror(errno))
            return Failure(description: "cannot encode the code as QR: \(reason)")
        }
        guard let input = QRinput_new2(0, QR_ECLEVEL_M) else { throw failure() }
        defer { QRinput_free(input) }
        let utf8 = Array(text.utf8)
        // Plain ASCII needs no ECI (every reader's default); anything else is declared UTF-8.
        if utf8.contains(where: { $0 >= 0x80 }), QRinput_appendECIheader(input, Self.utf8ECI) != 0 { throw failure() }
        guard QRinput_append(input, QR_MODE_8, Int32(utf8.count), utf8) == 0, let code = QRcode_encodeInput(input) else {
            throw failure()
        }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        // Bit 0 of each byte: 1 dark, 0 light (the other bits say which kind of module).
        let bytes = UnsafeBufferPointer(start: code.pointee.data, count: width * width)
        self.init(size: width, modules: bytes.map { $0 & 1 == 1 })
    }

    public func isDark(x: Int, y: Int) -> Bool { modules[y * size + x] }
}
