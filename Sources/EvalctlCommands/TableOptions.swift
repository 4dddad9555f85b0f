import ArgumentParser

/// `--wide`, shared by the verbs that print a table.
struct TableOptions: ParsableArguments {
    @Flag(help: "Every column, however wide (default: fit the terminal; 80 columns when not a terminal, or $COLUMNS).")
    var wide = false

    /// The width to fit, nil for `--wide`.
    var width: Int? { wide ? nil : Terminal.columns }
}
