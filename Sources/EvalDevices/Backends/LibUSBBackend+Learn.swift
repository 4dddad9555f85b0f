extension LibUSBBackend {
    /// Learn mode on the libusb path: which USB HID devices that no profile
    /// matches are opened for their raw reports (nothing is decoded).
    public enum Learn: Sendable, Hashable {
        case off
        /// `evalctl devices watch`, `evald-device-probe libusb --raw`: every such
        /// device that no kernel driver holds (a keyboard bound to usbhid keeps
        /// working and is watched through hidraw instead).
        case devicesWithoutDriver
        /// `evalctl devices learn`: the one device at this USB port path, its
        /// kernel driver detached (the technician named it).
        case port(String)

        func reads(portPath: String?) -> Bool {
            switch self {
            case .off: false
            case .devicesWithoutDriver: true
            case .port(let wanted): portPath == wanted
            }
        }

        var detachesDrivers: Bool {
            if case .port = self { return true }
            return false
        }
    }
}
