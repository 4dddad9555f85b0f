import Foundation

/// The profile table: built-ins, then JSON files from a profiles directory
/// (`/etc/evald/profiles.d/*.json`) that add profiles or replace one of the
/// same name. A file may `"extends": "<name>"` to start from another profile.
public struct ProfileCatalog: Sendable {
    public private(set) var profiles: [DeviceProfile]

    public init(_ profiles: [DeviceProfile]) {
        var byName: [String: DeviceProfile] = [:]
        for profile in profiles { byName[profile.name] = profile }
        self.profiles = byName.values.sorted { $0.name < $1.name }
    }

    public static let builtIn = ProfileCatalog(BuiltInProfiles.all)

    public static let defaultDirectory = "/etc/evald/profiles.d"

    public struct LoadResult: Sendable {
        public var catalog: ProfileCatalog
        /// One line per file or profile that was skipped, naming the file.
        public var problems: [String]
    }

    /// Reads every `*.json` in `directory` (a missing directory is fine) in name
    /// order. A bad file is reported and skipped; the rest still load.
    public static func load(directory: String, over base: ProfileCatalog = .builtIn) -> LoadResult {
        var problems: [String] = []
        var byName = Dictionary(uniqueKeysWithValues: base.profiles.map { ($0.name, $0) })
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".json") }.sorted()
        for file in names {
            let path = (directory as NSString).appendingPathComponent(file)
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                for profile in try decodeFile(data, known: byName) {
                    let issues = profile.problems()
                    if issues.isEmpty {
                        byName[profile.name] = profile
                    } else {
                        problems += issues.map { "\(path): \($0)" }
                    }
                }
            } catch {
                problems.append("\(path): \(describe(error))")
            }
        }
        return LoadResult(catalog: ProfileCatalog(Array(byName.values)), problems: problems)
    }

    /// A file holds one profile object or an array of them.
    static func decodeFile(_ data: Data, known: [String: DeviceProfile]) throws -> [DeviceProfile] {
        let json = try JSONSerialization.jsonObject(with: data)
        let objects: [[String: Any]]
        if let one = json as? [String: Any] {
            objects = [one]
        } else if let many = json as? [[String: Any]] {
            objects = many
        } else {
            throw ProfileFileError("expected a profile object or an array of them")
        }
        var known = known
        var result: [DeviceProfile] = []
        for (index, var object) in objects.enumerated() {
            let unknown = ProfileFields.unknown(in: object)
            guard unknown.isEmpty else {
                let label = (object["name"] as? String) ?? "profile #\(index + 1)"
                throw ProfileFileError("\(label): " + unknown.joined(separator: "; "))
            }
            if let baseName = object.removeValue(forKey: "extends") as? String {
                guard let base = known[baseName] else { throw ProfileFileError("extends unknown profile \"\(baseName)\"") }
                let baseData = try JSONEncoder().encode(base)
                var merged = (try JSONSerialization.jsonObject(with: baseData) as? [String: Any]) ?? [:]
                for (key, value) in object { merged[key] = value }
                object = merged
            }
            let profile = try JSONDecoder().decode(DeviceProfile.self, from: JSONSerialization.data(withJSONObject: object))
            known[profile.name] = profile
            result.append(profile)
        }
        return result
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case let error as ProfileFileError: error.message
        case let error as NSError where error.domain == NSCocoaErrorDomain && error.code == CocoaError.propertyListReadCorrupt.rawValue:
            // JSONSerialization's own text ("The data couldn't be read…") says nothing useful.
            "not valid JSON" + ((error.userInfo[NSDebugDescriptionErrorKey] as? String).map { ": \($0)" } ?? "")
        case DecodingError.dataCorrupted(let context): "invalid: \(context.debugDescription)"
        case DecodingError.keyNotFound(let key, _): "missing field \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context):
            "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        default: "\(error)"
        }
    }

    public func profile(named name: String) -> DeviceProfile? { profiles.first { $0.name == name } }

    /// The most specific profile for a device, or nil (then the device is left alone).
    public func match(vendorId: UInt16, productId: UInt16, interface: Int? = nil, serial: String? = nil, backend: DeviceProfile.Backend? = nil) -> DeviceProfile? {
        profiles
            .filter { backend == nil || $0.backend == backend }
            .filter { $0.match.matches(vendorId: vendorId, productId: productId, interface: interface, serial: serial) }
            .max { ($0.match.specificity, $1.name) < ($1.match.specificity, $0.name) }
    }
}

struct ProfileFileError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

extension ProfileCatalog {
    /// Decodes a profile file's bytes against the built-ins, for the fuzz target.
    public static func decodeForFuzzing(_ data: Data) -> [DeviceProfile]? {
        try? decodeFile(data, known: Dictionary(uniqueKeysWithValues: builtIn.profiles.map { ($0.name, $0) }))
    }
}
