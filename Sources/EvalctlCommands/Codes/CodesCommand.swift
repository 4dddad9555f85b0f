import ArgumentParser

/// `evalctl codes …`: print signed staff, logout and case codes for the
/// scanners (docs/sessions.md, "Signed codes").
struct CodesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codes",
        abstract: "Print staff badge, logout and case codes signed with the hall's code key (optionally as a QR image).",
        discussion: """
        The key is [sessions] code_key_file of evald.toml (0640 root:evald: run with sudo). \
        Each code is checked against the configured scan rules before it is printed: \
        evalctl refuses to print a code the counter would not take.
        """,
        subcommands: [CodesStaffCommand.self, CodesLogoutCommand.self, CodesCaseCommand.self]
    )
}
