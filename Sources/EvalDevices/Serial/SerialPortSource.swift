import EvalCore
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A serial port named in the configuration (`[devices] serial_ports`): a
/// built-in UART (`/dev/ttyS1`), a stable link (`/dev/serial/by-path/…`), or
/// in tests a pty. udev finds USB adapters by their profile's VID:PID; a
/// built-in UART has none, so the technician names the port and its profile.
/// Its line id is `tty-<file name>` (`tty-ttyS1`), its keypads `tty-ttyS1@<address>`.
public struct SerialPortSource: Sendable, Hashable {
    public var path: String
    public var profile: String
    /// How soon a port that went away (or was never there) is tried again.
    public var reopenMilliseconds: Int

    public init(path: String, profile: String, reopenMilliseconds: Int = 1_000) {
        self.path = path
        self.profile = profile
        self.reopenMilliseconds = reopenMilliseconds
    }

    public var ttyName: String { (path as NSString).lastPathComponent }

    /// Who the port is: the USB adapter behind it when udev knows one, else `tty-<name>`.
    public var identity: DeviceIdentity {
        DeviceIdentity(vendorId: 0, productId: 0, name: "serial port \(ttyName)", node: path, ttyName: ttyName)
    }

    /// Runs the port until cancelled: opens it, reads it, and when it goes
    /// away (or is not there) tries again every `reopenMilliseconds` — the
    /// only timer of a push keypad's line, and only while the port is gone.
    func run(catalog: ProfileCatalog, bindings: [DeviceBinding], clock: any WallClock, logger: Logger,
             prompts: PromptPorts?, counters: SerialLineCounters?, output: @escaping DeviceOutputHandler) async {
        let identity = self.identity
        guard let profile = catalog.profile(named: profile), profile.backend == .serial,
              var reader = SerialReader(node: path, profile: profile, identity: identity,
                                        addresses: SerialReader.addresses(of: identity.lineId, in: bindings), clock: clock, logger: logger) else {
            output(.event(.problem(device: identity, message: "serial port \(path): no serial profile named \"\(profile)\"",
                                   hint: "name a profile with \"backend\": \"serial\" (evalctl devices profiles)")))
            return
        }
        reader.prompts = prompts
        reader.counters = counters
        let configured = reader
        let reopen = Int32(max(10, reopenMilliseconds))
        await runOnDedicatedThread(name: "serial \(path)") { stop in
            var reported = false
            // A port that is there but cannot be opened (busy, not a tty,
            // no permission) is retried less and less often, up to a minute,
            // so its problem is not logged every second.
            var failures = 0
            while !stop.isFired {
                if access(path, F_OK) == 0 {
                    switch configured.read(stop: stop, output: output) {
                    case .failed: failures += 1
                    case .vanished, .stopped: failures = 0
                    }
                    reported = false
                } else if !reported {
                    reported = true
                    logger.warning("serial port not there; retrying", metadata: ["path": "\(path)"])
                }
                let wait = failures == 0 ? reopen : min(60_000, reopen << min(failures, 12))
                var pfd = pollfd(fd: stop.readEnd, events: Int16(POLLIN), revents: 0)
                _ = poll(&pfd, 1, wait)
            }
        }
    }
}

extension DeviceIdentity {
    /// Who the serial port at `node` is: the USB adapter behind it (VID:PID,
    /// serial, port) when udev knows one, else `tty-<name>`.
    public static func serialPort(_ node: String) -> DeviceIdentity {
        let name = (node as NSString).lastPathComponent
        if var found = Udev()?.node(devnode: node)?.identity {
            found.node = node
            return found
        }
        return DeviceIdentity(vendorId: 0, productId: 0, name: "serial port \(name)", node: node, ttyName: name)
    }
}
