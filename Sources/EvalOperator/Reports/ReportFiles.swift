#if canImport(Glibc)
import Glibc
#endif
import EvalCore
import Foundation

/// The report's files side by side (the daemon's monthly 通报): CSV, XLSX and
/// JSON first, the HTML page last, each written whole under a temporary name
/// and renamed, so a file that exists is complete and the page marks the set done.
public enum ReportFiles {
    public static func write(_ model: ReportModel, rollup: [RollupRow], source: String, generated: String,
                             directory: String, baseName: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        func path(_ ext: String) -> String { (directory as NSString).appendingPathComponent("\(baseName).\(ext)") }
        func write(_ data: Data, _ ext: String) throws {
            try data.write(to: URL(fileURLWithPath: path(ext)), options: .atomic)
        }
        try write(Data(ReportCSV.render(model).utf8), "csv")
        let json = try JSONSerialization.data(withJSONObject: ReportJSON.object(model, rollup: rollup, source: source),
                                              options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try write(json, "json")
        let partial = path("xlsx.partial")
        try ReportXLSX.write(model, to: partial)
        guard rename(partial, path("xlsx")) == 0 else {
            throw OperatorError("cannot rename \(partial) to \(path("xlsx")): \(String(cString: strerror(errno)))")
        }
        try write(Data(ReportHTML.render(model, generated: generated).utf8), "html")
        return ["csv", "json", "xlsx", "html"].map(path)
    }
}
