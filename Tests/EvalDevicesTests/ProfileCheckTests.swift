import EvalCore
@testable import EvalDevices
import Foundation
import Testing

/// Profiles are checked at load (issue 13): every problem names the file and
/// the field, once, in words a technician can act on.
@Suite struct ProfileCheckTests {
    static func load(_ files: [String: String]) throws -> ProfileCatalog.LoadResult {
        let dir = try TemporaryDirectoryForDevices()
        defer { dir.remove() }
        for (name, text) in files { try text.write(toFile: dir.path(name), atomically: true, encoding: .utf8) }
        var result = ProfileCatalog.load(directory: dir.url.path)
        result.problems = result.problems.map { $0.replacingOccurrences(of: dir.url.path + "/", with: "") }
        return result
    }

    static let keypad = #""match":{"vendorId":"1209","productId":"0001"},"backend":"hidraw","role":"keypad""#

    @Test func buttonSevenAndOffsetNineOnAnEightByteReport() throws {
        let result = try Self.load(["k.json": #"{"name":"k",\#(Self.keypad),"report":{"length":8,"offset":9,"values":[{"value":1,"button":7}]}}"#])
        #expect(result.problems == [
            "k.json: k: report.offset 9 is outside the 8-byte report (offsets 0–7)",
            "k.json: k: report.values[0].button 7 is not a button 1–5",
        ])
        #expect(result.catalog.profile(named: "k") == nil, "a profile with problems is not used")
    }

    @Test func ambiguousValuesMasksAndBitmaps() throws {
        let result = try Self.load([
            "a.json": #"{"name":"a",\#(Self.keypad),"report":{"length":4,"offset":1,"mask":15,"values":[{"value":1,"button":1},{"value":17,"button":2},{"value":1,"button":3}]}}"#,
            "b.json": #"{"name":"b",\#(Self.keypad),"report":{"length":2,"offset":1,"mask":255,"bitmap":true}}"#,
            "c.json": #"{"name":"c",\#(Self.keypad),"report":{"length":2,"reportId":1,"offset":0,"mask":0,"values":[{"value":0,"button":1}]}}"#,
        ])
        #expect(result.problems == [
            "a.json: a: report.values[1].value 0x11 has bits outside report.mask 0x0f",
            "a.json: a: report.values[1].value 0x11 is ambiguous: report.values[0] has the same value",
            "a.json: a: report.values[2].value 0x01 is ambiguous: report.values[0] has the same value",
            "b.json: b: report.mask 0xff lets bits above bit 4 through: a bitmap has buttons 1–5 in bits 0–4",
            "c.json: c: report.offset 0 is the report ID byte (reportId is set)",
            "c.json: c: report.mask 0 hides every bit: no button can be read",
            "c.json: c: report.values[0].value 0x00 equals report.idleValue",
        ])
    }

    @Test func unknownFieldsAreNamed() throws {
        let result = try Self.load(["u.json": #"{"name":"u",\#(Self.keypad),"ofset":2,"report":{"offset":1,"bitmap":true,"mask":31,"lenght":2},"keys":[{"code":2,"buton":1}]}"#])
        #expect(result.problems == [#"u.json: u: unknown field "ofset"; unknown field "report.lenght"; unknown field "keys[0].buton""#])
    }

    @Test func keysAndButtonTable() throws {
        let result = try Self.load(["e.json": #"{"name":"e","backend":"evdev","role":"keypad","keys":[{"code":2,"button":1},{"code":2,"button":2},{"code":3,"button":6}],"buttons":{"1":5,"2":4,"8":1}}"#])
        #expect(result.problems == [
            "e.json: e: keys[1].code 2 is ambiguous: keys[0] binds the same key",
            "e.json: e: keys[2].button 6 is not a button 1–5",
            #"e.json: e: buttons: "8" is not a button 1–5"#,
        ])
    }

    /// Prompt outputs (docs/devices.md, "Prompts"): the backend must be able to send them.
    @Test func promptOutputsFitTheirBackend() throws {
        let report = #""report":{"length":2,"offset":1,"mask":31,"bitmap":true}"#
        let result = try Self.load([
            "h.json": #"{"name":"h",\#(Self.keypad),\#(report),"outputs":{"invite":{"report":"02 01"},"thanks":{"led":1},"timeout":{"feature":""}}}"#,
            "e.json": #"{"name":"e","backend":"evdev","role":"keypad","keys":[{"code":2,"button":1}],"outputs":{"invite":{"led":16},"thanks":{"report":"01"}}}"#,
            "x.json": #"{"name":"x",\#(Self.keypad),\#(report),"outputs":{"welcome":{"report":"01"},"invite":{"report":"01","beep":true}}}"#,
            "y.json": #"{"name":"y",\#(Self.keypad),\#(report),"outputs":{"invite":{"report":"01","led":1}}}"#,
            "z.json": #"{"name":"z",\#(Self.keypad),\#(report),"outputs":{"invite":{"report":"0g"}}}"#,
        ])
        let problems = Set(result.problems)
        #expect(problems.count == 7, "\(result.problems)")
        #expect(problems.isSuperset(of: [
            #"h.json: h: outputs.thanks: LEDs are set through evdev; a hidraw device takes "report" or "feature""#,
            "h.json: h: outputs.timeout: a report needs at least its report ID byte",
            "e.json: e: outputs.invite: LED 16 is not an evdev LED (0–15)",
            "e.json: e: outputs.thanks: an evdev device takes LEDs, not reports (read it through hidraw or libusb)",
            #"x.json: x: unknown field "outputs.welcome"; unknown field "outputs.invite.beep""#,
        ]), "\(result.problems)")
        #expect(result.problems.contains { $0.hasPrefix("y.json") && $0.contains("exactly one of") }, "\(result.problems)")
        #expect(result.problems.contains { $0.hasPrefix("z.json") && $0.contains("expected hex bytes") }, "\(result.problems)")
        #expect(result.catalog.profile(named: "h") == nil && result.catalog.profile(named: "e") == nil)
    }

    @Test func promptOutputsRoundTripAsTheLoaderReadsThem() throws {
        let outputs = PromptOutputs(invite: .outputReport([2, 1]), thanks: .featureReport([3, 0xff]), timeout: .led(code: 1, on: false))
        let data = try JSONEncoder().encode(outputs)
        #expect(try JSONDecoder().decode(PromptOutputs.self, from: data) == outputs)
        #expect(outputs.declared == [.invite, .thanks, .timeout])
        #expect(PromptOutputs(thanks: .outputReport([0])).declared == [.thanks])
    }

    /// One line naming the file, not Foundation's "couldn't be read" text.
    @Test func badJSONIsOneLineNamingTheFile() throws {
        let result = try Self.load(["bad.json": #"{ "name": "x", "#])
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.hasPrefix("bad.json: not valid JSON") == true, "\(result.problems)")
        #expect(result.problems.first?.contains("couldn’t be read") == false)
    }

    @Test func builtInsAndFixturesPassTheChecks() throws {
        for profile in BuiltInProfiles.all { #expect(profile.problems() == [], "\(profile.name)") }
        let fixtures = ProfileCatalog.load(directory: TestPaths.fixture("profiles"))
        #expect(fixtures.problems.count == 1, "only broken.json: \(fixtures.problems)")
    }
}
