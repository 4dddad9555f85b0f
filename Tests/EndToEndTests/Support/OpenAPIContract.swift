import EvalTesting
import Foundation

/// docs/api/openapi.json as a contract the running server's answers are
/// checked against: the status must be documented for the operation, and
/// the JSON body must have the schema's required fields, types and enums
/// (recursively, through `$ref`s). Not a full JSON Schema validator: what an
/// integrator relies on.
struct OpenAPIContract {
    let document: [String: Any]

    init() throws {
        let url = BuiltProducts.packageRoot.appendingPathComponent("docs/api/openapi.json")
        document = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
    }

    var operations: [(method: String, path: String)] {
        let paths = document["paths"] as? [String: [String: Any]] ?? [:]
        return paths.flatMap { path, item in
            item.keys.filter { ["get", "post", "put", "delete"].contains($0) }.map { (method: $0.uppercased(), path: path) }
        }
    }

    /// Problems with one answer to `method template` (empty: it conforms).
    func problems(_ method: String, _ template: String, status: Int, body: Data, contentType: String? = "application/json") -> [String] {
        guard let operation = ((document["paths"] as? [String: Any])?[template] as? [String: Any])?[method.lowercased()] as? [String: Any] else {
            return ["\(method) \(template) is not in the document"]
        }
        guard let response = (operation["responses"] as? [String: Any])?["\(status)"] as? [String: Any] else {
            return ["\(method) \(template): status \(status) is not documented"]
        }
        guard let content = response["content"] as? [String: Any] else { return [] }
        guard let schema = (content["application/json"] as? [String: Any])?["schema"] as? [String: Any] else { return [] }
        guard contentType?.hasPrefix("application/json") == true else { return ["\(method) \(template) \(status): not JSON (\(contentType ?? "none"))"] }
        guard let value = try? JSONSerialization.jsonObject(with: body) else { return ["\(method) \(template) \(status): body is not JSON"] }
        return check(value, against: schema, at: "\(method) \(template) \(status) $")
    }

    func check(_ value: Any, against schema: [String: Any], at path: String) -> [String] {
        let schema = resolve(schema)
        var problems: [String] = []
        if let enumeration = schema["enum"] as? [Any], !enumeration.contains(where: { "\($0)" == "\(value)" }) {
            problems.append("\(path): \(value) is not one of \(enumeration)")
        }
        switch schema["type"] as? String {
        case "object":
            guard let object = value as? [String: Any] else { return problems + ["\(path): not an object"] }
            for key in schema["required"] as? [String] ?? [] where object[key] == nil {
                problems.append("\(path).\(key): required, missing")
            }
            let properties = schema["properties"] as? [String: [String: Any]] ?? [:]
            for (key, sub) in properties { if let child = object[key] { problems += check(child, against: sub, at: "\(path).\(key)") } }
        case "array":
            guard let array = value as? [Any] else { return problems + ["\(path): not an array"] }
            if let items = schema["items"] as? [String: Any] {
                for (i, element) in array.enumerated() { problems += check(element, against: items, at: "\(path)[\(i)]") }
            }
        case "string":
            if !(value is String) { problems.append("\(path): not a string") }
        case "integer":
            if !(value is Int) { problems.append("\(path): not an integer") }
        case "boolean":
            if !(value is Bool) { problems.append("\(path): not a boolean") }
        default:
            break
        }
        return problems
    }

    private func resolve(_ schema: [String: Any]) -> [String: Any] {
        guard let ref = schema["$ref"] as? String, ref.hasPrefix("#/components/schemas/") else { return schema }
        let name = String(ref.dropFirst("#/components/schemas/".count))
        return ((document["components"] as? [String: Any])?["schemas"] as? [String: Any])?[name] as? [String: Any] ?? [:]
    }
}
