@testable import EvalDevices
import Foundation
import Testing

@Suite struct DecoderFixtureTests {
    static let fixtureNames: [String] = {
        let directory = TestPaths.fixtures.appendingPathComponent("decoders").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }()

    @Test func fixturesArePresent() {
        #expect(Self.fixtureNames.count >= 15)
    }

    @Test(arguments: fixtureNames)
    func decoderFixture(_ name: String) throws {
        let fixture = try DecoderFixture.run(path: TestPaths.fixture("decoders/\(name)"))
        #expect(fixture.mismatches == [], "fixture \(name)")
    }
}

@Suite struct KeystrokeDecoderTests {
    @Test func deadlineAppearsOnlyWhileAScanIsPartlyTyped() {
        var decoder = KeystrokeDecoder(settings: ScanSettings(interKeyTimeoutMilliseconds: 100))
        #expect(decoder.deadline == nil)
        _ = decoder.feed(KeyEvent(code: 30, action: .press, time: 10))
        #expect(decoder.deadline == 10.1)
        #expect(decoder.flush(at: 10.05) == [])
        #expect(decoder.flush(at: 10.2) == [.discarded("scan cut short: no enter within 100 ms (1 characters discarded)")])
        #expect(decoder.deadline == nil)
    }
}
