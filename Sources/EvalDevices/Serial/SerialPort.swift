import CLibUSB
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tty opened for a serial evaluator: raw (no echo, no line editing, no
/// CR/LF translation), the profile's baud, data bits, parity and stop bits,
/// no flow control unless the profile asks, and exclusive (`TIOCEXCL`: a
/// second opener, another program's or a technician's terminal, gets EBUSY
/// instead of stealing half the bytes).
enum SerialPort {
    struct OpenError: Error {
        let message: String
        let errno: Int32
    }

    static func open(_ node: String, line: LineSettings) throws(OpenError) -> Int32 {
        let fd = Glibc.open(node, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw OpenError(message: "cannot open \(node): \(errnoDescription(errno))", errno: errno) }
        // umockdev's emulated ttys answer isatty() false but take termios:
        // tcgetattr decides, not isatty.
        if ioctl(fd, UInt(TIOCEXCL)) != 0, errno != ENOTTY {
            let code = errno
            Glibc.close(fd)
            throw OpenError(message: "cannot take \(node) for exclusive use: \(errnoDescription(code))", errno: code)
        }
        do {
            try configure(fd, line: line)
        } catch {
            Glibc.close(fd)
            throw OpenError(message: "\(node): \(error.message)", errno: error.errno)
        }
        return fd
    }

    static func configure(_ fd: Int32, line: LineSettings) throws(OpenError) {
        var tio = termios()
        guard tcgetattr(fd, &tio) == 0 else { throw OpenError(message: "not a serial port (tcgetattr: \(errnoDescription(errno)))", errno: errno) }
        cfmakeraw(&tio)
        let speed = speedConstant(line.baud)
        cfsetispeed(&tio, speed)
        cfsetospeed(&tio, speed)
        tio.c_cflag &= ~(tcflag_t(CSIZE) | tcflag_t(PARENB) | tcflag_t(PARODD) | tcflag_t(CSTOPB) | tcflag_t(CRTSCTS))
        tio.c_cflag |= tcflag_t(CLOCAL | CREAD)
        switch line.dataBits {
        case 5: tio.c_cflag |= tcflag_t(CS5)
        case 6: tio.c_cflag |= tcflag_t(CS6)
        case 7: tio.c_cflag |= tcflag_t(CS7)
        default: tio.c_cflag |= tcflag_t(CS8)
        }
        switch line.parity {
        case .none: break
        case .even: tio.c_cflag |= tcflag_t(PARENB)
        case .odd: tio.c_cflag |= tcflag_t(PARENB | PARODD)
        }
        if line.stopBits == 2 { tio.c_cflag |= tcflag_t(CSTOPB) }
        tio.c_iflag &= ~tcflag_t(IXON | IXOFF | IXANY)
        switch line.flowControl {
        case .none: break
        case .rtscts: tio.c_cflag |= tcflag_t(CRTSCTS)
        case .xonxoff: tio.c_iflag |= tcflag_t(IXON | IXOFF)
        }
        // Non-blocking reads return what is there; poll() does the waiting.
        withUnsafeMutableBytes(of: &tio.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(fd, TCSANOW, &tio) == 0 else { throw OpenError(message: "tcsetattr: \(errnoDescription(errno))", errno: errno) }
        // Bytes from before we listened belong to nobody's session.
        tcflush(fd, TCIFLUSH)
    }

    static func speedConstant(_ baud: Int) -> speed_t {
        switch baud {
        case 1200: speed_t(B1200)
        case 2400: speed_t(B2400)
        case 4800: speed_t(B4800)
        case 19200: speed_t(B19200)
        case 38400: speed_t(B38400)
        case 57600: speed_t(B57600)
        case 115200: speed_t(B115200)
        default: speed_t(B9600)
        }
    }

    /// Writes all of `bytes` (a tty may take them in parts); nil when sent.
    static func write(_ bytes: [UInt8], to fd: Int32) -> String? {
        var offset = 0
        var stalls = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written > 0 {
                offset += written
                continue
            }
            if written < 0, errno == EINTR { continue }
            if written < 0, errno == EAGAIN, stalls < 50 {
                // The output buffer is full (a slow line): wait for room, briefly.
                stalls += 1
                var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&pfd, 1, 20)
                continue
            }
            return written < 0 ? "write: \(errnoDescription(errno))" : "write: \(offset) of \(bytes.count) bytes"
        }
        return nil
    }
}
