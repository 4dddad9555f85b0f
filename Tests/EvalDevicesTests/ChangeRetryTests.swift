import EvalTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A libusb keypad the service user may not open is a `.problem`; once its
/// permissions are fixed, the `change` uevent (what installing the udev rules
/// and `udevadm trigger` send) makes the device hub retry it at once, without
/// a replug (issue 13). Needs root to drop to `nobody` with setpriv.
@Suite(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
               && FileManager.default.isExecutableFile(atPath: "/usr/bin/umockdev-wrapper")
               && FileManager.default.isExecutableFile(atPath: TestPaths.product("evald-hotplug-check"))))
struct ChangeRetryTests {
    @Test func aChangeUeventRetriesALibusbKeypadAtOnce() async throws {
        let fixture = TestPaths.fixture("umockdev")
        let result = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/setpriv"), arguments: [
            "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/umockdev-wrapper", TestPaths.product("evald-hotplug-check"),
            "change", "\(fixture)/vendor-keypad.umockdev", "\(fixture)/vendor-keypad.ioctl", TestPaths.fixture("profiles")], timeout: .seconds(30))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines == [
            "problem KP-0042 hint: install the udev rules and add the service user to group evald",
            "attached KP-0042 after change",
            "press 5",
        ])
    }
}
