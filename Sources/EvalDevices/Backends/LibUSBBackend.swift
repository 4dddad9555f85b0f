import CLibUSB
import EvalCore
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Vendor-report keypads through libusb: enumerate and match profiles, detach
/// the kernel driver explicitly, claim the interface, keep one asynchronous
/// interrupt-IN transfer in flight per device, and handle libusb events on a
/// dedicated thread (libusb_handle_events_timeout_completed — it sleeps in the
/// kernel, no busy polling).
///
/// Hotplug: with `LIBUSB_CAP_HAS_HOTPLUG` a callback queues arrivals (opened
/// right after the callback returns, well within a second) and departures
/// (`.detached`); a replugged keypad is simply a new arrival. Without it the
/// bus is rescanned every `rescanInterval`.
public final class LibUSBBackend: @unchecked Sendable {
    // Everything below `state` is touched only on the event thread; `stopping`
    // and `context` are the only cross-thread fields and are guarded by `lock`.
    private let catalog: ProfileCatalog
    private let clock: any WallClock
    private let logger: Logger
    public let rescanInterval: Double
    /// Forces the rescan path even where hotplug exists (tests, odd kernels).
    public let disableHotplug: Bool
    /// Which devices no profile matches are opened for their raw reports.
    public let learn: Learn
    /// Where claimed keypads offer their prompt outputs.
    let prompts: PromptPorts?

    let lock = NSLock()
    private var stopping = false
    var context: OpaquePointer?
    /// Port paths a `change` uevent asked to retry (guarded by `lock`).
    var retries: [String] = []

    private var output: DeviceOutputHandler = { _ in }
    private var openDevices: [DeviceKey: OpenDevice] = [:]
    private var pendingArrivals: [OpaquePointer] = []
    private var pendingDepartures: [DeviceKey] = []
    /// Devices whose transfer has ended while closing; finished outside libusb's
    /// event handling (libusb_close is not called from a transfer callback).
    private var pendingCloses: [OpenDevice] = []
    /// Devices seen without a matching profile, so each is reported once.
    var ignored: Set<DeviceKey> = []
    /// Serial and product name come from udev (the USB device's attributes).
    private var udev: Udev?

    public init(catalog: ProfileCatalog, clock: any WallClock = SystemWallClock(),
                logger: Logger, rescanInterval: Double = 2, disableHotplug: Bool = false, learn: Learn = .off,
                prompts: PromptPorts? = nil) {
        self.learn = learn
        self.prompts = prompts
        self.catalog = catalog
        self.clock = clock
        self.logger = logger
        self.rescanInterval = rescanInterval
        self.disableHotplug = disableHotplug
    }

    /// Runs until the task is cancelled.
    public func run(output: @escaping DeviceOutputHandler) async {
        self.output = output
        await withTaskCancellationHandler {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                let thread = Thread { [self] in
                    eventLoop()
                    done.resume()
                }
                thread.name = "libusb events"
                thread.start()
            }
        } onCancel: {
            lock.withLock {
                stopping = true
                if let context { libusb_interrupt_event_handler(context) }
            }
        }
    }

    private var isStopping: Bool { lock.withLock { stopping } }

    /// Wakes the event thread (from any thread) to take up queued retries.
    func wake() {
        lock.withLock { if let context { libusb_interrupt_event_handler(context) } }
    }

    private func eventLoop() {
        var ctx: OpaquePointer?
        let status = libusb_init(&ctx)
        guard status == 0, let ctx else {
            logger.error("libusb_init failed", metadata: ["error": "\(usbError(status))"])
            return
        }
        lock.withLock { context = ctx }
        udev = Udev()
        defer {
            udev = nil
            shutDown(ctx)
            lock.withLock { context = nil }
            libusb_exit(ctx)
        }

        let hotplug = !disableHotplug && libusb_has_capability(UInt32(LIBUSB_CAP_HAS_HOTPLUG.rawValue)) != 0
        var handle: libusb_hotplug_callback_handle = 0
        if hotplug {
            let events = Int32(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED.rawValue | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT.rawValue)
            let result = libusb_hotplug_register_callback(
                ctx, events, Int32(LIBUSB_HOTPLUG_ENUMERATE.rawValue),
                LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
                hotplugCallback, Unmanaged.passUnretained(self).toOpaque(), &handle)
            if result != 0 {
                logger.warning("libusb hotplug registration failed, rescanning instead", metadata: ["error": "\(usbError(result))"])
            }
        }
        let rescanning = !hotplug
        if rescanning {
            logger.info("libusb hotplug unavailable: rescanning the bus", metadata: ["interval_s": "\(rescanInterval)"])
        }
        var nextRescan = 0.0
        while !isStopping {
            processPending()
            if rescanning, monotonicSeconds() >= nextRescan {
                rescan(ctx)
                nextRescan = monotonicSeconds() + rescanInterval
            }
            // With hotplug nothing here is periodic: arrivals, departures, transfers,
            // retries (`wake()`) and cancel all end the wait early, so an idle
            // keypad costs no wake-ups. The bound only keeps timeval in range.
            let wait = rescanning ? rescanInterval : 3600
            var tv = timeval(tv_sec: Int(wait), tv_usec: Int(wait.truncatingRemainder(dividingBy: 1) * 1e6))
            let result = libusb_handle_events_timeout_completed(ctx, &tv, nil)
            if result != 0, result != LIBUSB_ERROR_INTERRUPTED.rawValue {
                logger.warning("libusb event handling failed", metadata: ["error": "\(usbError(result))"])
            }
        }
        if hotplug { libusb_hotplug_deregister_callback(ctx, handle) }
    }

    // MARK: hotplug and rescan

    fileprivate func hotplug(device: OpaquePointer, arrived: Bool) {
        if arrived {
            libusb_ref_device(device)
            pendingArrivals.append(device)
        } else {
            pendingDepartures.append(DeviceKey(device))
        }
    }

    private func processPending() {
        retryChanged()
        let closes = pendingCloses
        pendingCloses.removeAll()
        for device in closes { finishClose(device) }
        let departures = pendingDepartures
        pendingDepartures.removeAll()
        for key in departures {
            ignored.remove(key)
            close(key, announce: true)
        }
        let arrivals = pendingArrivals
        pendingArrivals.removeAll()
        for device in arrivals {
            consider(device)
            libusb_unref_device(device)
        }
    }

    private func rescan(_ ctx: OpaquePointer) {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = libusb_get_device_list(ctx, &list)
        guard count >= 0, let list else { return }
        defer { libusb_free_device_list(list, 1) }
        var present = Set<DeviceKey>()
        for index in 0..<count {
            guard let device = list[index] else { continue }
            present.insert(DeviceKey(device))
            consider(device)
        }
        for key in openDevices.keys where !present.contains(key) { close(key, announce: true) }
        ignored.formIntersection(present)
    }

    // MARK: open, claim, transfer

    func consider(_ device: OpaquePointer) {
        let key = DeviceKey(device)
        guard openDevices[key] == nil, !ignored.contains(key) else { return }
        var descriptor = libusb_device_descriptor()
        guard libusb_get_device_descriptor(device, &descriptor) == 0 else { return }
        let portPath = Self.portPath(device)
        let facts = portPath.flatMap { udev?.usbDevice(portPath: $0)?.identity }
        let matched = catalog.match(vendorId: descriptor.idVendor, productId: descriptor.idProduct, serial: facts?.serial, backend: .libusb)
        guard let profile = matched ?? (learn.reads(portPath: portPath) ? .rawInputOnly(.libusb) : nil) else {
            ignored.insert(key)
            return
        }
        let rawOnly = matched == nil
        let identity = DeviceIdentity(
            vendorId: descriptor.idVendor, productId: descriptor.idProduct, serial: facts?.serial, portPath: portPath,
            name: facts?.name ?? "USB device \(Hex.word(descriptor.idVendor)):\(Hex.word(descriptor.idProduct))",
            node: String(format: "/dev/bus/usb/%03d/%03d", libusb_get_bus_number(device), libusb_get_device_address(device)))
        guard let (interface, endpoint, packetSize) = interruptEndpoint(device, wanted: profile.match.interface) else {
            // Learn mode looks at every device: a hub or disk is simply not a keypad.
            if rawOnly {
                ignored.insert(key)
                return
            }
            problem(identity, "no interrupt-IN endpoint on \(profile.match.interface.map { "interface \($0)" } ?? "any HID interface")", hint: nil)
            ignored.insert(key)
            return
        }
        var handle: OpaquePointer?
        let opened = libusb_open(device, &handle)
        guard opened == 0, let handle else {
            let hint = opened == LIBUSB_ERROR_ACCESS.rawValue ? DeviceHint.permission : nil
            problem(identity, "cannot open USB device: \(usbError(opened))", hint: hint)
            ignored.insert(key)
            return
        }
        let driven = libusb_kernel_driver_active(handle, Int32(interface)) == 1
        if rawOnly, driven, !learn.detachesDrivers {
            // Watching must not take a keyboard from its driver; such a device is read through hidraw.
            logger.info("unprofiled USB device left to its kernel driver (read it raw through hidraw)", metadata: ["device": "\(identity)"])
            libusb_close(handle)
            ignored.insert(key)
            return
        }
        // Explicit detach: auto-detach (USBDEVFS_DISCONNECT_CLAIM) is not
        // available everywhere (umockdev), and a missing driver is fine.
        if driven {
            let detached = libusb_detach_kernel_driver(handle, Int32(interface))
            if detached != 0, detached != LIBUSB_ERROR_NOT_FOUND.rawValue, detached != LIBUSB_ERROR_NOT_SUPPORTED.rawValue {
                logger.warning("kernel driver detach failed", metadata: ["device": "\(identity)", "error": "\(usbError(detached))"])
            }
        }
        let claimed = libusb_claim_interface(handle, Int32(interface))
        guard claimed == 0 else {
            problem(identity, "cannot claim interface \(interface): \(usbError(claimed))",
                    hint: claimed == LIBUSB_ERROR_BUSY.rawValue ? "another program or driver holds the interface" : nil)
            libusb_close(handle)
            ignored.insert(key)
            return
        }
        guard let layout = profile.report ?? (rawOnly ? ReportLayout(offset: 0, bitmap: true) : nil) else {
            problem(identity, "profile \(profile.name) has no report layout", hint: nil)
            libusb_release_interface(handle, Int32(interface))
            libusb_close(handle)
            ignored.insert(key)
            return
        }
        let opening = OpenDevice(key: key, identity: identity, profile: profile, handle: handle, interface: interface,
                                 endpoint: endpoint, packetSize: packetSize, decoder: ReportDecoder(layout: layout),
                                 mapper: EventMapper(identity: identity, profile: profile, clock: clock), rawOnly: rawOnly)
        guard let transfer = libusb_alloc_transfer(0) else {
            libusb_release_interface(handle, Int32(interface))
            libusb_close(handle)
            return
        }
        opening.transfer = transfer
        opening.backend = self
        openDevices[key] = opening
        offerPrompts(opening)
        logger.info("reading USB keypad", metadata: ["device": "\(identity)", "profile": "\(profile.name)", "interface": "\(interface)", "endpoint": "\(Hex.byte(endpoint))"])
        output(.event(.attached(identity)))
        submit(opening)
    }

    private func submit(_ device: OpenDevice) {
        guard let transfer = device.transfer else { return }
        libusb_fill_interrupt_transfer(transfer, device.handle, device.endpoint, device.buffer, Int32(device.packetSize),
                                       transferCallback, Unmanaged.passUnretained(device).toOpaque(), 0)
        device.inFlight = true
        let result = libusb_submit_transfer(transfer)
        if result != 0 {
            device.inFlight = false
            if result == LIBUSB_ERROR_NO_DEVICE.rawValue {
                close(device.key, announce: true)
            } else {
                problem(device.identity, "cannot submit interrupt transfer: \(usbError(result))", hint: nil)
                close(device.key, announce: true)
            }
        }
    }

    fileprivate func completed(_ transfer: UnsafeMutablePointer<libusb_transfer>) {
        guard let raw = transfer.pointee.user_data else { return }
        let device = Unmanaged<OpenDevice>.fromOpaque(raw).takeUnretainedValue()
        device.inFlight = false
        if device.closing {
            pendingCloses.append(device)
            return
        }
        if device.rawOnly, transfer.pointee.status == LIBUSB_TRANSFER_COMPLETED {
            // Learn mode without a profile: the raw report only, nothing decoded.
            output(.raw(device.identity, .report(Array(UnsafeBufferPointer(start: transfer.pointee.buffer, count: Int(transfer.pointee.actual_length))))))
            device.failures = 0
            submit(device)
            return
        }

        switch transfer.pointee.status {
        case LIBUSB_TRANSFER_COMPLETED:
            // The transfer's completion, on the event thread: as close to the
            // device's own time as libusb tells.
            let stamp = device.mapper.stampNow()
            let report = Array(UnsafeBufferPointer(start: transfer.pointee.buffer, count: Int(transfer.pointee.actual_length)))
            output(.raw(device.identity, .report(report)))
            for event in device.mapper.events(for: device.decoder.feed(report), at: stamp) {
                if case .problem(_, let message, _) = event {
                    logger.warning("bad report ignored", metadata: ["device": "\(device.identity)", "problem": "\(message)"])
                }
                output(.event(event))
            }
            device.failures = 0
            submit(device)
        case LIBUSB_TRANSFER_NO_DEVICE, LIBUSB_TRANSFER_CANCELLED:
            device.closing = true
            pendingCloses.append(device)
        default:
            device.failures += 1
            if device.failures > 10 {
                problem(device.identity, "interrupt transfers keep failing (status \(transfer.pointee.status.rawValue)); closing", hint: "unplug and replug the keypad")
                device.closing = true
                pendingCloses.append(device)
            } else {
                submit(device)
            }
        }
    }

    /// Cancels the transfer (its callback finishes the close) or closes now.
    private func close(_ key: DeviceKey, announce: Bool) {
        guard let device = openDevices[key], !device.closing else { return }
        device.closing = true
        device.announceClose = announce
        // An in-flight transfer must complete (cancelled, or with data) before
        // it is freed and the handle closed: its callback queues the close.
        // Cancel can fail (already completing, or not emulated): still wait.
        if device.inFlight, let transfer = device.transfer {
            _ = libusb_cancel_transfer(transfer)
            return
        }
        finishClose(device)
    }

    /// Cancels every transfer, lets the cancellations complete (bounded), then
    /// closes what is left, so libusb_exit sees no open handle.
    private func shutDown(_ ctx: OpaquePointer) {
        for key in Array(openDevices.keys) { close(key, announce: false) }
        for _ in 0..<20 where openDevices.values.contains(where: \.inFlight) {
            var tv = timeval(tv_sec: 0, tv_usec: 100_000)
            _ = libusb_handle_events_timeout_completed(ctx, &tv, nil)
        }
        processPending()
        for device in openDevices.values {
            if device.inFlight {
                logger.warning("USB transfer did not complete at shutdown; leaving the handle to libusb_exit", metadata: ["device": "\(device.identity)"])
            } else {
                finishClose(device)
            }
        }
    }

    private func finishClose(_ device: OpenDevice) {
        guard openDevices[device.key] === device else { return }
        openDevices.removeValue(forKey: device.key)
        if let transfer = device.transfer { libusb_free_transfer(transfer) }
        device.transfer = nil
        withdrawPrompts(device)
        libusb_release_interface(device.handle, Int32(device.interface))
        libusb_close(device.handle)
        if device.announceClose {
            logger.warning("USB keypad left", metadata: ["device": "\(device.identity)"])
            output(.event(.detached(device.identity)))
        }
    }

    private func problem(_ identity: DeviceIdentity, _ message: String, hint: String?) {
        logger.error("USB keypad problem", metadata: ["device": "\(identity)", "problem": "\(message)"])
        output(.event(.problem(device: identity, message: message, hint: hint)))
    }

    /// First HID interface (or the profile's) with an interrupt-IN endpoint.
    private func interruptEndpoint(_ device: OpaquePointer, wanted: Int?) -> (interface: UInt8, endpoint: UInt8, packetSize: Int)? {
        var config: UnsafeMutablePointer<libusb_config_descriptor>?
        guard libusb_get_active_config_descriptor(device, &config) == 0 || libusb_get_config_descriptor(device, 0, &config) == 0,
              let config else { return nil }
        defer { libusb_free_config_descriptor(config) }
        for i in 0..<Int(config.pointee.bNumInterfaces) {
            let interface = config.pointee.interface[i]
            for a in 0..<Int(interface.num_altsetting) {
                let setting = interface.altsetting[a]
                if let wanted, Int(setting.bInterfaceNumber) != wanted { continue }
                if wanted == nil, setting.bInterfaceClass != UInt8(LIBUSB_CLASS_HID.rawValue) { continue }
                for e in 0..<Int(setting.bNumEndpoints) {
                    let endpoint = setting.endpoint[e]
                    let isIn = endpoint.bEndpointAddress & 0x80 != 0
                    let isInterrupt = endpoint.bmAttributes & 0x03 == UInt8(LIBUSB_TRANSFER_TYPE_INTERRUPT.rawValue)
                    if isIn, isInterrupt {
                        return (setting.bInterfaceNumber, endpoint.bEndpointAddress, max(1, Int(endpoint.wMaxPacketSize)))
                    }
                }
            }
        }
        return nil
    }

    /// `1-1.4`: bus number, then the port chain, as the kernel names USB devices.
    static func portPath(_ device: OpaquePointer) -> String? {
        var ports = [UInt8](repeating: 0, count: 8)
        let count = libusb_get_port_numbers(device, &ports, Int32(ports.count))
        guard count > 0 else { return nil }
        return "\(libusb_get_bus_number(device))-" + ports[0..<Int(count)].map { String($0) }.joined(separator: ".")
    }
}

/// bus + address: unique while the device is attached.
struct DeviceKey: Hashable {
    let bus: UInt8
    let address: UInt8

    init(_ device: OpaquePointer) {
        bus = libusb_get_bus_number(device)
        address = libusb_get_device_address(device)
    }
}

/// One claimed keypad. Touched only on the event thread.
final class OpenDevice {
    weak var backend: LibUSBBackend?
    let key: DeviceKey
    let identity: DeviceIdentity
    let profile: DeviceProfile
    let handle: OpaquePointer
    let interface: UInt8
    let endpoint: UInt8
    let packetSize: Int
    var decoder: ReportDecoder
    var mapper: EventMapper
    let buffer: UnsafeMutablePointer<UInt8>
    var transfer: UnsafeMutablePointer<libusb_transfer>?
    var inFlight = false
    var closing = false
    var announceClose = true
    var failures = 0
    /// Learn mode, no profile: raw reports only, the decoder is never fed.
    let rawOnly: Bool
    /// Offered while claimed, when the profile declares outputs.
    var promptPort: PromptPort?

    init(key: DeviceKey, identity: DeviceIdentity, profile: DeviceProfile, handle: OpaquePointer, interface: UInt8,
         endpoint: UInt8, packetSize: Int, decoder: ReportDecoder, mapper: EventMapper, rawOnly: Bool = false) {
        self.rawOnly = rawOnly
        self.key = key
        self.identity = identity
        self.profile = profile
        self.handle = handle
        self.interface = interface
        self.endpoint = endpoint
        self.packetSize = packetSize
        self.decoder = decoder
        self.mapper = mapper
        buffer = .allocate(capacity: packetSize)
    }

    deinit { buffer.deallocate() }
}

private func hotplugCallback(_ ctx: OpaquePointer?, _ device: OpaquePointer?, _ event: libusb_hotplug_event, _ userData: UnsafeMutableRawPointer?) -> Int32 {
    guard let device, let userData else { return 0 }
    let backend = Unmanaged<LibUSBBackend>.fromOpaque(userData).takeUnretainedValue()
    backend.hotplug(device: device, arrived: event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED)
    return 0
}

private func transferCallback(_ transfer: UnsafeMutablePointer<libusb_transfer>?) {
    guard let transfer, let raw = transfer.pointee.user_data else { return }
    Unmanaged<OpenDevice>.fromOpaque(raw).takeUnretainedValue().backend?.completed(transfer)
}

func usbError(_ code: Int32) -> String {
    guard let name = libusb_error_name(code) else { return "\(code)" }
    return String(cString: name)
}
