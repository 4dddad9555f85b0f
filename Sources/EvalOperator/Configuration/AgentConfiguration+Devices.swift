import EvalDevices
import Foundation

extension AgentConfiguration {
    /// `[[window]] devices` → the device module's bindings.
    public var deviceBindings: [DeviceBinding] {
        windows.flatMap { window in
            window.devices.map { DeviceBinding(deviceId: $0, hallCode: window.hallCode, windowCode: window.windowCode) }
        }
    }

    /// The device ids of simulated keypads this configuration runs.
    public var simulatedDeviceIds: [String] { devices.simulatedKeypad == nil ? [] : [DevicesSection.simulatedKeypadId] }

    /// The inventory `evalctl devices` lists: udev's devices, bindings, simulated keypads.
    public func deviceInventory(catalog: ProfileCatalog) -> DeviceInventory {
        DeviceInventory(catalog: catalog, bindings: deviceBindings, simulatedDeviceIds: simulatedDeviceIds, serialPorts: serialPortSources)
    }

    /// What `evald --check-config` and the daemon's start say about devices,
    /// as warnings (evald runs without them): profiles skipped, each once with
    /// its file and field, and bound devices not attached now.
    /// `absent`: the bindings `absentBindings(catalog:)` found (scanned when not given).
    public func deviceIssues(profiles: ProfileCatalog.LoadResult, absent: [DeviceBinding]? = nil) -> [ConfigurationIssue] {
        var issues = profiles.problems.map {
            ConfigurationIssue(.warning, location: "[devices] profile_dir", message: "\($0) (this profile is skipped)")
        }
        for binding in absent ?? absentBindings(catalog: profiles.catalog) {
            issues.append(ConfigurationIssue(
                .warning, location: "[[window]] \(binding.windowCode) devices",
                message: "\"\(binding.deviceId)\" is not attached now; evald attaches it when it is plugged in"))
        }
        return issues
    }

    /// Bound devices udev does not show now (one enumeration; simulated keypads count as present).
    public func absentBindings(catalog: ProfileCatalog) -> [DeviceBinding] {
        deviceInventory(catalog: catalog).scan().filter { !$0.online }.compactMap(\.binding)
    }

    /// Built-in profiles plus `[devices] profile_dir`; problems name the file.
    public func deviceProfiles() -> ProfileCatalog.LoadResult {
        ProfileCatalog.load(directory: devices.profileDirectory)
    }

    /// `[devices]` → the device hub's configuration.
    public func deviceHubConfiguration(catalog: ProfileCatalog, prompts: PromptPorts? = nil) -> DeviceHub.Configuration {
        var simulated: [SimulatedKeypadSource] = []
        if let keypad = devices.simulatedKeypad {
            simulated.append(SimulatedKeypadSource(path: keypad == "stdin" ? "-" : keypad, deviceId: DevicesSection.simulatedKeypadId))
        }
        var hub = DeviceHub.Configuration(
            catalog: devices.useEvdev || devices.useHidraw ? catalog : catalog.restricted(toBackends: devices.useLibUSB ? [.libusb, .serial] : [.serial]),
            bindings: deviceBindings,
            simulatedKeypads: simulated,
            useLibUSB: devices.useLibUSB,
            prompts: prompts
        )
        hub.serialPorts = serialPortSources
        return hub
    }

    /// `[devices] serial_ports` → the device module's port sources.
    public var serialPortSources: [SerialPortSource] {
        devices.serialPorts.map { SerialPortSource(path: $0.path, profile: $0.profile, reopenMilliseconds: $0.reopenMillis) }
    }
}

extension ProfileCatalog {
    /// Only the profiles of these backends (the demo and tests turn hardware off).
    func restricted(toBackends backends: Set<DeviceProfile.Backend>) -> ProfileCatalog {
        ProfileCatalog(profiles.filter { backends.contains($0.backend) })
    }
}
