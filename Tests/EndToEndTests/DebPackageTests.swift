import EvalAgent
import EvalOperator
import EvalTesting
import Foundation
import Testing

@Suite("the .deb package")
struct DebPackageTests {
    /// Builds from the debug binaries (fast; the shipped package is built in
    /// release mode by the same script without --bin-dir).
    @Test func buildsAndListsTheExpectedFiles() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let script = BuiltProducts.packageRoot.appendingPathComponent("packaging/build-deb.sh").path
        let build = try await ChildProcess.run(URL(fileURLWithPath: "/bin/bash"), arguments: [script, "--quick", "--bin-dir", BuiltProducts.directory.path, "--out", dir.url.path],
                                        directory: dir.url.path, timeout: .seconds(120))
        #expect(build.status == 0, "build-deb.sh failed:\n\(build.stdout)\n\(build.stderr)")
        let deb = build.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(deb.hasSuffix(".deb"))
        #expect((deb as NSString).lastPathComponent.hasPrefix("evald_"))

        let contents = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/dpkg-deb"), arguments: ["--contents", deb], directory: dir.url.path)
        #expect(contents.status == 0)
        for path in [
            "./usr/bin/evald", "./usr/bin/evalctl -> evald", "./lib/systemd/system/evald.service",
            "./usr/lib/sysusers.d/evald.conf", "./usr/lib/tmpfiles.d/evald.conf", "./lib/udev/rules.d/70-evald.rules",
            "./etc/evald/evald.toml", "./usr/share/doc/evald/install.md", "./usr/share/doc/evald/operations.md",
            "./usr/share/doc/evald/configuration.md", "./usr/share/doc/evald/evald-help.txt",
            "./usr/share/doc/evald/evalctl-help.txt", "./usr/share/doc/evald/examples/evald.toml",
            "./usr/share/doc/evald/copyright", "./usr/share/doc/evald/changelog.gz",
            "./usr/share/bash-completion/completions/evalctl", "./usr/share/zsh/vendor-completions/_evalctl",
        ] {
            #expect(contents.stdout.contains(" \(path)\n"), "missing \(path) in:\n\(contents.stdout)")
        }
        #expect(contents.stdout.contains("-rwxr-xr-x root/root"), "binaries must be root-owned executables")

        let info = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/dpkg-deb"), arguments: ["--info", deb], directory: dir.url.path)
        #expect(info.stdout.contains("Package: evald"))
        #expect(info.stdout.contains("Depends:"))
        #expect(info.stdout.contains("postinst"))
        #expect(info.stdout.contains("postrm"))
        #expect(info.stdout.contains("md5sums"))
        #expect(info.stdout.contains("procps"), "ExecReload needs /bin/kill")
        let conffiles = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/dpkg-deb"), arguments: ["--ctrl-tarfile", deb], directory: dir.url.path)
        #expect(conffiles.status == 0)

        // The shipped binaries are stripped, carry no RUNPATH, and still run: the
        // debug binaries given with --bin-dir need the toolchain's runtime, which the
        // test supplies as LD_LIBRARY_PATH (a release build links it statically).
        let root = dir.path("root")
        let unpack = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/dpkg-deb"), arguments: ["-x", deb, root], directory: dir.url.path)
        #expect(unpack.status == 0, "\(unpack.stderr)")
        let runtime = try await Self.runpath(of: BuiltProducts.directory.appendingPathComponent("evald").path)
        for product in ["evald", "evalctl"] {
            let sections = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/readelf"), arguments: ["-S", "\(root)/usr/bin/\(product)"], directory: dir.url.path)
            #expect(!sections.stdout.contains(".symtab") && !sections.stdout.contains(".debug_info"), "\(product) is not stripped")
            let shippedRunpath = try await Self.runpath(of: "\(root)/usr/bin/\(product)")
            #expect(shippedRunpath == nil, "\(product) keeps a RUNPATH")
            // Full RELRO: a read-only GOT after start, every symbol bound at once.
            let dynamic = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/readelf"), arguments: ["-d", "-lW", "\(root)/usr/bin/\(product)"],
                                                     directory: dir.url.path)
            #expect(dynamic.stdout.contains("GNU_RELRO") && (dynamic.stdout.contains("BIND_NOW") || dynamic.stdout.contains("Flags: NOW")),
                    "\(product) lacks full RELRO:\n\(dynamic.stdout)")
            let version = try await ChildProcess.run(URL(fileURLWithPath: "\(root)/usr/bin/\(product)"), arguments: ["--version"],
                                                     environment: runtime.map { ["LD_LIBRARY_PATH": $0] } ?? [:], directory: dir.url.path)
            #expect(version.status == 0 && version.stdout.contains(EvaldVersion.current), "\(version.stderr)")
        }
        // One binary: evalctl is a link to evald, and started by that name it is evalctl.
        #expect(contents.stdout.contains("lrwxrwxrwx root/root         0"), "evalctl is a symbolic link")
        let help = try await ChildProcess.run(URL(fileURLWithPath: "\(root)/usr/bin/evalctl"), arguments: ["queue", "--help"],
                                              environment: runtime.map { ["LD_LIBRARY_PATH": $0] } ?? [:], directory: dir.url.path)
        #expect(help.status == 0 && help.stdout.contains("USAGE: evalctl queue"), "\(help)")
        #expect(FileManager.default.fileExists(atPath: "\(root)/etc/evald/calendars"), "local calendars go here")
        let copyright = try String(contentsOfFile: "\(root)/usr/share/doc/evald/copyright", encoding: .utf8)
        #expect(copyright.hasPrefix("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"))
        #expect(copyright.contains("License: Apache-2.0") && copyright.contains("/usr/share/common-licenses/Apache-2.0"))
        for page in ["man8/evald.8.gz", "man8/evalctl.8.gz", "man5/evald.toml.5.gz"] {
            #expect(FileManager.default.fileExists(atPath: "\(root)/usr/share/man/\(page)"), "missing manual page \(page)")
        }

        // lintian: no error and no warning at all (an override in
        // packaging/debian/lintian-overrides carries its reason).
        let lintian = "/usr/bin/lintian"
        try #require(FileManager.default.isExecutableFile(atPath: lintian), "lintian missing: run scripts/bootstrap.sh")
        let report = try await ChildProcess.run(URL(fileURLWithPath: lintian), arguments: ["--display-info", "--tag-display-limit", "0", deb],
                                                directory: dir.url.path, timeout: .seconds(300))
        let findings = report.stdout.split(separator: "\n").filter { $0.hasPrefix("E: ") || $0.hasPrefix("W: ") || $0.contains("hardening-no-bindnow") || $0.contains("hardening-no-relro") }
        #expect(findings.isEmpty, "lintian:\n\(report.stdout)")
        #expect(report.status == 0, "lintian exit \(report.status):\n\(report.stdout)\n\(report.stderr)")
    }

    /// The RUNPATH in an ELF file's dynamic section, or nil without one.
    static func runpath(of path: String) async throws -> String? {
        let dynamic = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/readelf"), arguments: ["-d", path], directory: NSTemporaryDirectory())
        #expect(dynamic.status == 0, "\(dynamic.stderr)")
        guard let line = dynamic.stdout.split(separator: "\n").first(where: { $0.contains("(RUNPATH)") || $0.contains("(RPATH)") }),
              let open = line.firstIndex(of: "["), let close = line.lastIndex(of: "]") else { return nil }
        return String(line[line.index(after: open)..<close])
    }

    @Test func maintainerScriptsKeepTheQueueAndCreateTheUser() async throws {
        let root = BuiltProducts.packageRoot.appendingPathComponent("packaging/debian")
        let postinst = try String(contentsOf: root.appendingPathComponent("postinst"), encoding: .utf8)
        #expect(postinst.contains("systemd-sysusers"))
        #expect(postinst.contains("adduser --system"))
        // deb-systemd-helper semantics: enabled offline too, the admin's choice kept on upgrade.
        #expect(postinst.contains("deb-systemd-helper --quiet was-enabled evald.service"))
        #expect(postinst.contains("deb-systemd-helper update-state evald.service"))
        #expect(!postinst.contains("systemctl enable"))
        // Started only when the configuration (and the secret) can run; otherwise what to do next.
        #expect(postinst.contains("evald --check-config"))
        #expect(postinst.contains("NOT started"))
        let postrm = try String(contentsOf: root.appendingPathComponent("postrm"), encoding: .utf8)
        #expect(!postrm.contains("rm -rf /var/lib/evald"))
        #expect(postrm.contains("rm -f /etc/evald/app-secret"), "purge removes what postinst created")
        #expect(postrm.contains("deb-systemd-helper purge evald.service"))
        for script in ["postinst", "prerm", "postrm"] {
            let check = try await ChildProcess.run(URL(fileURLWithPath: "/bin/sh"), arguments: ["-n", root.appendingPathComponent(script).path], directory: NSTemporaryDirectory())
            #expect(check.status == 0, "\(script): \(check.stderr)")
        }
    }
}
