import ArgumentParser
import EvalCore
import EvalOperator

extension CounterPrompt: ExpressibleByArgument {}

struct DevicesPromptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prompt",
        abstract: "Show a prompt (invite, thanks, timeout) on a device now, to try its profile's \"outputs\".",
        discussion: """
        Sent by the running evald, which holds the device, exactly as when a service opens, a rating is stored \
        or a countdown ends. Exits 1 with the reason when the device is not connected, its profile declares no \
        such output, or the device refused it. See docs/devices.md, "Prompts".
        """
    )

    @OptionGroup var options: GlobalOptions
    @Argument(help: "deviceId, as `evalctl devices` lists it.")
    var device: String
    @Argument(help: "invite, thanks or timeout.")
    var prompt: CounterPrompt

    func run() async throws {
        let context = try options.context()
        do {
            print(try DevicePromptTrial.send(prompt, to: device, context: context))
        } catch {
            throw Failure("\(error)")
        }
    }
}
