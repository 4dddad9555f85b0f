import EvalCore

/// `evalctl report --merge`: the rollups of several counter PCs as one hall's
/// or department's. A window's day counted in two files is refused: the same
/// file given twice, or two PCs both counting one window, would count its
/// services twice.
public enum ReportMerge {
    public struct Overlap: Error, CustomStringConvertible {
        public var windowCode: String
        public var day: CivilDate
        public var files: [String]
        public var description: String {
            "window \(windowCode) on \(day) is counted in both \(files.joined(separator: " and ")): refusing to count it twice "
                + "(the same file given twice, or one window on two PCs?)"
        }
    }

    public static func merge(_ files: [ReportJSON.File]) throws -> (rows: [RollupRow], overdue: [ReportModel.OverdueCase]) {
        var owner: [String: String] = [:]  // "window\u{0}day" → file
        var rows: [RollupRow] = []
        var overdue: Set<ReportModel.OverdueCase> = []
        for file in files {
            var mine: Set<String> = []
            for row in file.rows {
                let slot = "\(row.key.windowCode)\u{0}\(row.key.day)"
                if let other = owner[slot], !mine.contains(slot) {
                    throw Overlap(windowCode: row.key.windowCode, day: row.key.day, files: [other, file.path])
                }
                owner[slot] = file.path
                mine.insert(slot)
                rows.append(row)
            }
            overdue.formUnion(file.overdue)
        }
        return (rows.sorted { $0.key < $1.key }, Array(overdue))
    }
}
