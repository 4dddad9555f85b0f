import EvalDevices
import Foundation

extension AgentConfiguration {
    /// `[[window]] devices` → the device module's bindings.
    public var deviceBindings: [DeviceBinding] {
        windows.flatMap { window in
            window.devices.map { DeviceBinding(deviceId: $0, hallCode: window.hallCode, windowCode: window.windowCode) }
        }
    }

    /// Built-in profiles plus `[devices] profile_dir`; problems name the file.
    public func deviceProfiles() -> ProfileCatalog.LoadResult {
        ProfileCatalog.load(directory: devices.profileDirectory)
    }

    /// `[devices]` → the device hub's configuration.
    public func deviceHubConfiguration(catalog: ProfileCatalog) -> DeviceHub.Configuration {
        var simulated: [SimulatedKeypadSource] = []
        if let keypad = devices.simulatedKeypad {
            simulated.append(SimulatedKeypadSource(path: keypad == "stdin" ? "-" : keypad, deviceId: DevicesSection.simulatedKeypadId))
        }
        return DeviceHub.Configuration(
            catalog: devices.useEvdev || devices.useHidraw ? catalog : catalog.restricted(toBackends: devices.useLibUSB ? [.libusb] : []),
            bindings: deviceBindings,
            simulatedKeypads: simulated,
            useLibUSB: devices.useLibUSB
        )
    }
}

extension ProfileCatalog {
    /// Only the profiles of these backends (the demo and tests turn hardware off).
    func restricted(toBackends backends: Set<DeviceProfile.Backend>) -> ProfileCatalog {
        ProfileCatalog(profiles.filter { backends.contains($0.backend) })
    }
}
