import Foundation

/// A black-and-white PNG (1-bit greyscale) written without a compressor: the
/// image data is zlib with stored (uncompressed) deflate blocks. A badge's QR
/// code at 8 px per module is some 20 KB.
public enum PNGImage {
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// `matrix` with each module `scale` px square and a `quietZone` of light
    /// modules around it (the QR standard asks for 4).
    public static func qrCode(_ matrix: QRCodeMatrix, scale: Int = 8, quietZone: Int = 4) -> Data {
        let side = (matrix.size + 2 * quietZone) * scale
        return encode(width: side, height: side) { x, y in
            let mx = x / scale - quietZone, my = y / scale - quietZone
            guard mx >= 0, my >= 0, mx < matrix.size, my < matrix.size else { return false }
            return matrix.isDark(x: mx, y: my)
        }
    }

    /// A `width` × `height` image, `dark(x, y)` black, else white.
    public static func encode(width: Int, height: Int, dark: (Int, Int) -> Bool) -> Data {
        let rowBytes = (width + 7) / 8
        var raw: [UInt8] = []
        raw.reserveCapacity((rowBytes + 1) * height)
        for y in 0..<height {
            raw.append(0)  // filter type None
            var byte: UInt8 = 0
            for x in 0..<width {
                // Greyscale 1 bit: 0 black, 1 white; most significant bit first.
                if !dark(x, y) { byte |= 0x80 >> UInt8(x % 8) }
                if x % 8 == 7 || x == width - 1 {
                    raw.append(byte)
                    byte = 0
                }
            }
        }
        var png = Data(signature)
        var header: [UInt8] = []
        header += bigEndian(UInt32(width))
        header += bigEndian(UInt32(height))
        header += [1, 0, 0, 0, 0]  // bit depth 1, greyscale, deflate, adaptive filtering, no interlace
        png.append(chunk("IHDR", header))
        png.append(chunk("IDAT", zlibStored(raw)))
        png.append(chunk("IEND", []))
        return png
    }

    /// zlib stream (RFC 1950) of stored deflate blocks (RFC 1951 §3.2.4).
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]  // deflate, 32 KB window, no dictionary; (0x7801 % 31 == 0)
        var offset = 0
        repeat {
            let length = min(65_535, data.count - offset)
            let final: UInt8 = offset + length == data.count ? 1 : 0
            out.append(final)  // BFINAL, BTYPE 00
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += data[offset..<offset + length]
            offset += length
        } while offset < data.count
        out += bigEndian(adler32(data))
        return out
    }

    static func chunk(_ type: String, _ body: [UInt8]) -> Data {
        let typeBytes = Array(type.utf8)
        var data = Data(bigEndian(UInt32(body.count)))
        data.append(contentsOf: typeBytes)
        data.append(contentsOf: body)
        data.append(contentsOf: bigEndian(crc32(typeBytes + body)))
        return data
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    public static func adler32(_ data: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return b << 16 | a
    }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// CRC-32 (ISO 3309), as PNG chunks carry it.
    public static func crc32(_ data: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in data { c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
