import EvalCore
@testable import EvalDevices
import Foundation
import Testing

@Suite struct BindingTests {
    let bound = DeviceIdentity(vendorId: 0x1209, productId: 0xE7A1, serial: "KP-0042", portPath: "1-3", name: "keypad")
    let noSerial = DeviceIdentity(vendorId: 0x1209, productId: 0xE7A2, portPath: "1-4", name: "f-keys")
    let at = InputStamp(wall: Date(timeIntervalSince1970: 1_800_000_000), boot: BootInstant(seconds: 100))

    @Test func deviceIdIsSerialElsePortPath() {
        #expect(bound.deviceId == "KP-0042")
        #expect(noSerial.deviceId == "usb-1-4")
        #expect(DeviceIdentity(vendorId: 1, productId: 2, serial: "", portPath: "2-1.3", name: "x").deviceId == "usb-2-1.3")
    }

    @Test func boundDeviceEventsGoToTheirWindow() {
        var matcher = BindingMatcher([DeviceBinding(deviceId: "KP-0042", hallCode: "H01", windowCode: "W07")])
        let press = DeviceEvent.press(device: bound, button: .satisfied, at: at)
        #expect(matcher.route(press) == .window(DeviceBinding(deviceId: "KP-0042", hallCode: "H01", windowCode: "W07"), press))
    }

    @Test func unboundDeviceIsReportedOnceAndItsInputDropped() {
        var matcher = BindingMatcher([DeviceBinding(deviceId: "KP-0042", windowCode: "W07")])
        guard case .unbound(let first?) = matcher.route(.attached(noSerial)), case .problem(_, let message, let hint) = first else {
            Issue.record("expected a problem for an unbound device")
            return
        }
        #expect(message.contains("usb-1-4"))
        #expect(hint == DeviceHint.unbound)
        #expect(matcher.route(.press(device: noSerial, button: .verySatisfied, at: at)) == .unbound(report: nil))
        #expect(matcher.route(.scan(device: noSerial, text: "x", at: at)) == .unbound(report: nil))
        // After a detach the next attach is reported again.
        #expect(matcher.route(.detached(noSerial)) == .unbound(report: .detached(noSerial)))
        if case .unbound(let again) = matcher.route(.press(device: noSerial, button: .verySatisfied, at: at)) {
            #expect(again != nil)
        }
    }
}
