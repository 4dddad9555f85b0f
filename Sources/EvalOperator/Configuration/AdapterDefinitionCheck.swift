import EvalPlatform

/// `[platform] adapter`: the built-in `evald-json/1` or the absolute path of
/// an adapter definition, which is read and checked here so that
/// `evald --check-config` names the definition's file, key and line of each error.
enum AdapterDefinitionCheck {
    /// nil when usable; else one message per problem.
    static func problems(_ value: String) -> [String]? {
        if value == AdapterDefinition.evaldJSON1.name { return nil }
        guard value.hasPrefix("/") else {
            return ["\"\(value)\" is neither evald-json/1 nor the absolute path of an adapter definition (e.g. /usr/share/evald/adapters/national-v2-sm3.json)"]
        }
        do {
            _ = try AdapterDefinition.load(path: value)
            return nil
        } catch {
            return error.issues.map { "adapter definition \($0.description)" }
        }
    }
}
