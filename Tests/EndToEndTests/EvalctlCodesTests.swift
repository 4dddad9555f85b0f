#if canImport(Glibc)
import Glibc
#endif
import EvalCore
import EvalOperator
import EvalQueue
import EvalTesting
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Issue 24 item 6: `evalctl codes` prints signed counter codes the daemon's
/// own classification (the configuration's scan rules with its code key)
/// takes, and writes them as QR images a reader can scan. Runs the built
/// evalctl as a child process.
@Suite("evalctl codes", .serialized)
struct EvalctlCodesTests {
    /// A test config whose scan rules are the shipped ones with every staff,
    /// logout and case rule signed, and a 32-byte key 0640.
    static func setUp(_ dir: TemporaryDirectory, key: Bool = true, metricsPort: Int? = nil) throws -> TestConfig {
        var config = TestConfig(directory: dir.url.path)
        config.metricsPort = metricsPort
        let keyPath = dir.path("code-key")
        if key {
            try Data((0..<32).map { UInt8($0 * 7 & 0xFF) }).write(to: URL(fileURLWithPath: keyPath))
            chmod(keyPath, 0o640)
            config.extra = "code_key_file = \"\(keyPath)\""  // lands in [sessions], the last section
        }
        try config.write()
        let shipped = BuiltProducts.packageRoot.appendingPathComponent("config/scan-rules.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: shipped)) as? [String: Any])
        json["rules"] = (json["rules"] as? [[String: Any]] ?? []).map { rule in
            var rule = rule
            if ["staff", "logout", "case"].contains(rule["kind"] as? String) { rule["signed"] = true }
            return rule
        }
        let rulesPath = dir.path("scan-rules.json")
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: rulesPath))
        let text = try String(contentsOfFile: config.configPath, encoding: .utf8).replacingOccurrences(of: shipped.path, with: rulesPath)
        try Data(text.utf8).write(to: URL(fileURLWithPath: config.configPath))
        return config
    }

    func evalctl(_ config: TestConfig, _ arguments: [String]) async throws -> ChildProcess.Outcome {
        try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"), arguments: arguments + ["--config", config.configPath],
                                   directory: config.directory)
    }

    /// The daemon's classification: its configuration's scan rules, loaded with the key as at start.
    func classify(_ config: TestConfig, _ payload: String) throws -> ScanClassification {
        try ConfigurationLoader.load(path: config.configPath).get().scanRules().classify(payload)
    }

    @Test func printedCodesAreTakenAndTheirUnsignedTextIsNot() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try Self.setUp(dir)
        let cases: [([String], Scan, String)] = [
            (["codes", "staff", "lisi", "--name", "李四"], .staffLogin(StaffMember(loginName: "lisi", name: "李四")), "staff-badge-code"),
            (["codes", "staff", "zhao.liu"], .staffLogin(StaffMember(loginName: "zhao.liu", name: "zhao.liu")), "staff-badge-code"),
            (["codes", "logout"], .staffLogout(loginName: nil), "staff-logout-code"),
            (["codes", "logout", "lisi"], .staffLogout(loginName: "lisi"), "staff-logout-code"),
            (["codes", "case", "2026030200001"], .caseReceipt(CaseTicket(projectNo: "2026030200001")), "case-number"),
        ]
        for (arguments, scan, rule) in cases {
            let outcome = try await evalctl(config, arguments)
            #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.isEmpty, "\(arguments): \(outcome.stderr)")
            let printed = outcome.stdout.trimmingCharacters(in: .newlines)
            #expect(printed.range(of: #"~[0-9a-f]{16}$"#, options: .regularExpression) != nil, "\(printed)")
            #expect(try classify(config, printed) == .recognized(scan, rule: rule), "\(arguments) → \(printed)")
            let unsigned = String(CodeSignature.split(printed).body)
            guard case .ignored(let rejection) = try classify(config, unsigned) else {
                Issue.record("\(unsigned) taken unsigned")
                continue
            }
            #expect(rejection.reason == .badSignature(rule: rule))
            #expect(rejection.label == "unsigned-code")
        }
    }

    @Test func refusesWhatTheCounterWouldNotTake() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try Self.setUp(dir)
        let badLogin = try await evalctl(config, ["codes", "staff", "li si"])
        #expect(badLogin.status != 0)
        #expect(badLogin.stdout.isEmpty)
        let phone = try await evalctl(config, ["codes", "case", "13912345678"])
        #expect(phone.status != 0, "a phone number is never a case")
        #expect(phone.stdout.isEmpty)
        // No rule takes this number: evalctl says so instead of printing a dead badge.
        let shortCase = try await evalctl(config, ["codes", "case", "12345"])
        #expect(shortCase.status == 1)
        #expect(shortCase.stderr.contains("would refuse"), "\(shortCase.stderr)")
        #expect(shortCase.stdout.isEmpty)

        let keyless = try TemporaryDirectory()
        defer { keyless.remove() }
        let noKey = try await evalctl(try Self.setUp(keyless, key: false), ["codes", "logout"])
        #expect(noKey.status == 1)
        #expect(noKey.stderr.contains("code_key_file is not set"), "\(noKey.stderr)")
    }

    @Test func pngIsAValidQRImageOfThePrintedCode() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try Self.setUp(dir)
        let pngPath = dir.path("lisi.png")
        let outcome = try await evalctl(config, ["codes", "staff", "lisi", "--name", "李四", "--png", pngPath])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let printed = outcome.stdout.trimmingCharacters(in: .newlines)

        var info = stat()
        #expect(stat(pngPath, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(PNGImage.crc32(Array("IEND".utf8)) == 0xAE42_6082, "the CRC every PNG's IEND chunk carries")
        let png = try PNGReader(Array(Data(contentsOf: URL(fileURLWithPath: pngPath))))

        // Module grid: each module 8 px, a 4-module quiet zone, and exactly libqrencode's matrix of the printed text.
        let matrix = try QRCodeMatrix(encoding: printed)
        #expect(png.width == (matrix.size + 8) * 8)
        #expect(png.height == png.width)
        var grid: [Bool] = []
        for my in 0..<matrix.size {
            for mx in 0..<matrix.size {
                let x = (mx + 4) * 8, y = (my + 4) * 8
                // Every pixel of the module agrees.
                let pixels = (0..<8).flatMap { dy in (0..<8).map { dx in png.isDark(x: x + dx, y: y + dy) } }
                #expect(Set(pixels).count == 1, "module \(mx),\(my) is not one colour")
                grid.append(pixels[0])
            }
        }
        #expect(grid == matrix.modules)
        for i in 0..<png.width {
            #expect(!png.isDark(x: i, y: 0) && !png.isDark(x: 0, y: i) && !png.isDark(x: i, y: png.height - 1), "quiet zone")
        }
        // Three finder patterns: a dark 7×7 ring around a light ring around a dark 3×3.
        for (ox, oy) in [(0, 0), (matrix.size - 7, 0), (0, matrix.size - 7)] {
            #expect(matrix.isDark(x: ox, y: oy) && matrix.isDark(x: ox + 6, y: oy + 6) && !matrix.isDark(x: ox + 1, y: oy + 1)
                    && matrix.isDark(x: ox + 3, y: oy + 3))
        }

        // An independent reader, when installed (scripts/bootstrap.sh installs zbar-tools).
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/zbarimg") {
            let read = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/zbarimg"), arguments: ["--quiet", "--raw", pngPath])
            #expect(read.status == 0, "\(read.stderr)")
            #expect(read.stdout.trimmingCharacters(in: .newlines) == printed)
        }

        // Never over an existing file.
        let again = try await evalctl(config, ["codes", "logout", "--png", pngPath])
        #expect(again.status == 1)
        #expect(again.stderr.contains("exists"), "\(again.stderr)")
        #expect(try PNGReader(Array(Data(contentsOf: URL(fileURLWithPath: pngPath)))).width == png.width, "left as it was")
    }
}

/// The daemon itself: a citizen's phone showing a plain staff code logs nobody
/// in (refused, logged masked, counted); the printed badge does.
@Suite("signed codes at a running evald", .serialized)
struct SignedCodesDaemonTests {
    @Test func anUnsignedBadgeIsRefusedAndThePrintedOneLogsIn() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try EvalctlCodesTests.setUp(dir, metricsPort: freeLoopbackPort())
        func code(_ arguments: [String]) async throws -> String {
            let printed = try await ChildProcess.run(try BuiltProducts.executable(named: "evalctl"),
                                                     arguments: ["codes"] + arguments + ["--config", config.configPath], directory: config.directory)
            #expect(printed.status == 0, "\(printed.stderr)")
            return printed.stdout.trimmingCharacters(in: .newlines)
        }
        let badge = try await code(["staff", "lisi", "--name", "李四"])
        // The case-number rule is signed here too: cases are printed codes.
        let first = try await code(["case", "MS-2026-1207-000001"]), second = try await code(["case", "MS-2026-1207-000002"])

        let keypad = try Keypad(path: config.fifoPath)
        let daemon = try await PipelineEndToEndTests.startDaemon(config)
        defer { daemon.stop() }
        try await keypad.connect(timeout: .seconds(10))
        defer { keypad.close() }

        keypad.scan("STAFF:wangwu:王五")       // a phone showing plain text
        keypad.scan(first)
        try await Task.sleep(for: .milliseconds(100))
        keypad.press(5)
        keypad.scan(badge)                     // the printed badge
        keypad.scan(second)
        try await Task.sleep(for: .milliseconds(100))
        keypad.press(4)

        #expect(await eventually(timeout: .seconds(20)) {
            ((try? QueueReader(path: config.queuePath).list(QueueListQuery(limit: 10, order: .oldestFirst))) ?? []).count == 2
        }, "stderr:\n\(daemon.stderr)")
        let records = try QueueReader(path: config.queuePath).list(QueueListQuery(limit: 10, order: .oldestFirst))
        // The window's default staff (zhangsan), not wangwu; then lisi from the signed badge.
        #expect(records.map { $0.evaluation.evaluatedPersons.first?.loginName } == ["zhangsan", "lisi"])
        #expect(records.last?.evaluation.evaluatedPersons.first?.name == "李四")
        #expect(records.map(\.evaluation.projectNo) == ["MS-2026-1207-000001", "MS-2026-1207-000002"])

        #expect(daemon.stderr.contains("scan ignored: rule staff-badge-code takes signed codes only: signature missing or wrong: \"STAF…\" (15 chars)"),
                "\(daemon.stderr)")
        #expect(!daemon.stderr.contains("wangwu") && !daemon.stderr.contains("王五"), "logged masked")
        let url = URL(string: "http://127.0.0.1:\(config.metricsPort!)/metrics")!
        var body = ""
        _ = await eventually(timeout: .seconds(5)) {
            guard let (data, _) = try? await URLSession.shared.data(from: url) else { return false }
            body = String(decoding: data, as: UTF8.self)
            return true
        }
        #expect(body.contains(#"evald_scans_ignored_total{reason="unsigned-code"} 1"#), "\(body)")
    }
}

extension SignedCodesDaemonTests {
    /// `evald --check-config` checks the key as it checks the app secret.
    @Test func checkConfigJudgesTheCodeKey() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = try EvalctlCodesTests.setUp(dir)
        func check() async throws -> ChildProcess.Outcome {
            try await ChildProcess.run(try BuiltProducts.executable(named: "evald"), arguments: ["--check-config", "--config", config.configPath],
                                       directory: config.directory)
        }
        let good = try await check()
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        chmod(dir.path("code-key"), 0o644)
        let readable = try await check()
        #expect(readable.status == 1)
        #expect(readable.stdout.contains("[sessions] code_key_file: code key \(dir.path("code-key")): mode 644"), "\(readable.stdout)")
        // And evald does not start with it.
        let refused = try await ChildProcess.run(try BuiltProducts.executable(named: "evald"), arguments: ["--config", config.configPath],
                                                 directory: config.directory)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("chmod 0640"), "\(refused.stderr)")
    }
}

/// Just enough of a PNG decoder for the images evalctl writes: checks the
/// signature and every chunk's CRC, reads IHDR, inflates stored deflate blocks
/// and checks the zlib Adler-32; 1-bit greyscale, filter type 0 only.
struct PNGReader {
    struct Invalid: Error, CustomStringConvertible { var description: String }

    var width = 0, height = 0
    var rows: [[UInt8]] = []

    init(_ bytes: [UInt8]) throws {
        guard bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { throw Invalid(description: "signature") }
        func u32(_ at: Int) -> Int { Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3]) }
        var offset = 8
        var idat: [UInt8] = []
        var types: [String] = []
        while offset < bytes.count {
            let length = u32(offset)
            let type = String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self)
            let body = Array(bytes[offset + 8..<offset + 8 + length])
            guard PNGImage.crc32(Array(bytes[offset + 4..<offset + 8 + length])) == UInt32(u32(offset + 8 + length)) else {
                throw Invalid(description: "CRC of \(type)")
            }
            types.append(type)
            if type == "IHDR" {
                width = u32(offset + 8)
                height = u32(offset + 12)
                guard body[8...] == [1, 0, 0, 0, 0] else { throw Invalid(description: "IHDR: not 1-bit greyscale, deflate, no interlace") }
            }
            if type == "IDAT" { idat += body }
            offset += 12 + length
        }
        guard types.first == "IHDR", types.last == "IEND", offset == bytes.count else { throw Invalid(description: "chunks \(types)") }
        guard (UInt16(idat[0]) << 8 | UInt16(idat[1])) % 31 == 0, idat[0] & 0x0F == 8 else { throw Invalid(description: "zlib header") }
        var raw: [UInt8] = []
        var at = 2
        while true {
            let header = idat[at]
            guard header & 0b110 == 0 else { throw Invalid(description: "not a stored block") }
            let length = Int(idat[at + 1]) | Int(idat[at + 2]) << 8
            let complement = Int(idat[at + 3]) | Int(idat[at + 4]) << 8
            guard length ^ complement == 0xFFFF else { throw Invalid(description: "LEN/NLEN") }
            raw += idat[at + 5..<at + 5 + length]
            at += 5 + length
            if header & 1 == 1 { break }
        }
        let adler = UInt32(idat[at]) << 24 | UInt32(idat[at + 1]) << 16 | UInt32(idat[at + 2]) << 8 | UInt32(idat[at + 3])
        guard adler == PNGImage.adler32(raw), at + 4 == idat.count else { throw Invalid(description: "Adler-32") }
        let rowBytes = (width + 7) / 8
        guard raw.count == (rowBytes + 1) * height else { throw Invalid(description: "image data size") }
        for y in 0..<height {
            guard raw[y * (rowBytes + 1)] == 0 else { throw Invalid(description: "filter type") }
            rows.append(Array(raw[y * (rowBytes + 1) + 1..<(y + 1) * (rowBytes + 1)]))
        }
    }

    /// Greyscale 0 is black.
    func isDark(x: Int, y: Int) -> Bool { rows[y][x / 8] & (0x80 >> UInt8(x % 8)) == 0 }
}
