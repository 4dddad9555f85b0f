import ArgumentParser
import EvalCore
import EvalDevices
import EvalOperator
import EvalQueue
import Foundation

struct UdevRulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "udev-rules",
        abstract: "Print udev rules giving group evald the keypads and scanners of the profile table.",
        discussion: "Install: evalctl udev-rules | sudo tee /etc/udev/rules.d/70-evald.rules && sudo udevadm control --reload && sudo udevadm trigger"
    )

    @Option(help: "Also read local profiles from this directory (default: built-in profiles only).")
    var profiles: String?

    @Option(help: "evald's configuration: serial adapters get rules only for the lines its [[window]] devices bind.")
    var config: String?

    func run() throws {
        var catalog = ProfileCatalog.builtIn
        if let profiles {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: profiles, isDirectory: &isDirectory) else {
                throw Failure("--profiles \(profiles): no such directory")
            }
            guard isDirectory.boolValue else { throw Failure("--profiles \(profiles): not a directory (give the folder of .json profiles)") }
            let loaded = ProfileCatalog.load(directory: profiles)
            for problem in loaded.problems { FileHandle.standardError.write(Data("warning: \(problem)\n".utf8)) }
            catalog = loaded.catalog
        }
        var lines: [String] = []
        if let config {
            let bindings: [DeviceBinding]
            do {
                bindings = try OperatorContext.load(configPath: config, stateDirectory: nil).configuration.deviceBindings
            } catch let error as OperatorError {
                throw Failure(error.description)
            }
            lines = bindings.map { DeviceIdForm.splitAddress($0.deviceId).base }
        }
        print(UdevRules.render(catalog.profiles, boundLines: lines), terminator: "")
    }
}
