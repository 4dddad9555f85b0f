import EvalCore

extension DefinitionReader {
    mutating func fields(_ node: JSONNode) -> [AdapterDefinition.Field]? {
        guard case .array(let items) = node.kind, !items.isEmpty else {
            error("fields", node.line, "must be a non-empty array of field objects")
            return nil
        }
        var out: [AdapterDefinition.Field] = []
        var names = Set<String>()
        for (i, item) in items.enumerated() {
            let key = "fields[\(i)]"
            guard let m = members(item, key, known: ["name", "from", "type", "map", "dateFormat", "whenAbsent", "personKeys", "comment"]) else { continue }
            guard let name = string(m["name"], key + ".name", parent: item) else { continue }
            if !names.insert(name).inserted { error(key + ".name", m["name"]!.line, "field \"\(name)\" is defined twice") }
            let fromText = m["from"]?.string ?? name
            guard let source = SourceField(rawValue: fromText) else {
                error(key + ".from", (m["from"] ?? item).line,
                      "\"\(fromText)\" is not an evald field (known: \(SourceField.allCases.map(\.rawValue).joined(separator: ", ")))")
                continue
            }
            var field = AdapterDefinition.Field(name: name, source: source, type: nil, map: [:], dateFormat: nil, whenAbsent: .omit,
                                                personKeys: ("loginName", "name"))
            if let t = m["type"] {
                if let v = t.string.flatMap(AdapterDefinition.ValueType.init(rawValue:)) { field.type = v } else {
                    error(key + ".type", t.line, "must be \"string\" or \"int\"")
                }
            }
            if let a = m["whenAbsent"] {
                if let v = a.string.flatMap(AdapterDefinition.Absent.init(rawValue:)) { field.whenAbsent = v } else {
                    error(key + ".whenAbsent", a.line, "must be \"omit\" or \"empty\"")
                }
            }
            if let mapNode = m["map"] {
                if case .object(let entries) = mapNode.kind {
                    for entry in entries {
                        switch entry.value.kind {
                        case .string(let s): field.map[entry.key] = .string(s)
                        case .number(let n):
                            if let v = Int(n) { field.map[entry.key] = .int(v) } else { error(key + ".map." + entry.key, entry.line, "must be an integer or a string") }
                        default: error(key + ".map." + entry.key, entry.line, "must be an integer or a string")
                        }
                    }
                    // The reverse (platform-sim reads values back) needs a one-to-one map.
                    if Set(field.map.values).count != field.map.count { error(key + ".map", mapNode.line, "two evald values map to the same platform value") }
                } else { error(key + ".map", mapNode.line, "must be an object: evald value → platform value") }
            }
            if let d = m["dateFormat"] {
                if !source.isDateTime { error(key + ".dateFormat", d.line, "only date-time fields (assessTime, applyTime) have a dateFormat") }
                if let text = d.string {
                    do { field.dateFormat = try DateFormat(text) } catch { self.error(key + ".dateFormat", d.line, error.description) }
                } else { error(key + ".dateFormat", d.line, "must be a string") }
            }
            if let p = m["personKeys"] {
                if source != .evaluatedPersonInfo { error(key + ".personKeys", p.line, "only for evaluatedPersonInfo") }
                if let pm = members(p, key + ".personKeys", known: ["loginName", "name"]),
                   let l = string(pm["loginName"], key + ".personKeys.loginName", parent: p),
                   let n = string(pm["name"], key + ".personKeys.name", parent: p) {
                    field.personKeys = (l, n)
                }
            }
            out.append(field)
        }
        if !out.contains(where: { $0.source == .evaluationId }) {
            error("fields", node.line, "no field carries evaluationId: the platform's duplicate check and per-record results need it")
        }
        return out
    }

    mutating func body(_ node: JSONNode) -> AdapterDefinition.Body? {
        guard let m = members(node, "body", known: ["format", "template", "fields"]) else { return nil }
        switch m["format"]?.string {
        case "json":
            guard let t = m["template"] else { error("body.template", node.line, "required for a json body"); return nil }
            guard case .object = t.kind else { error("body.template", t.line, "must be a JSON object"); return nil }
            var count = 0
            checkTemplate(t, "body.template", records: &count)
            if count != 1 { error("body.template", t.line, "must hold \"${records}\" exactly once as a whole string value, found \(count)") }
            return .json(t)
        case "form":
            guard let f = m["fields"], case .array(let items) = f.kind else { error("body.fields", node.line, "a form body needs fields: [[\"name\", \"template\"], …]"); return nil }
            var fields: [(name: String, value: Template)] = []
            for (i, item) in items.enumerated() {
                guard case .array(let pair) = item.kind, pair.count == 2, let n = pair[0].string else {
                    error("body.fields[\(i)]", item.line, "a form field is [\"name\", \"value template\"]")
                    continue
                }
                if let t = template(pair[1], "body.fields[\(i)]", parent: item, envelope: true) { fields.append((n, t)) }
            }
            if fields.filter({ $0.value.placeholders.contains(.records) }).count != 1 {
                error("body.fields", f.line, "exactly one form field must be \"${records}\"")
            }
            return .form(fields)
        default:
            error("body.format", (m["format"] ?? node).line, "must be \"json\" or \"form\"")
            return nil
        }
    }

    private mutating func checkTemplate(_ node: JSONNode, _ key: String, records: inout Int) {
        switch node.kind {
        case .object(let members): for member in members { checkTemplate(member.value, key + "." + member.key, records: &records) }
        case .array(let items): for (i, item) in items.enumerated() { checkTemplate(item, key + "[\(i)]", records: &records) }
        case .string(let s):
            guard let t = template(s, key, line: node.line, envelope: true) else { return }
            if t.placeholders.contains(.records) {
                if t.sole == .records { records += 1 } else { error(key, node.line, "${records} must be the whole string value") }
            }
        default: break
        }
    }

    mutating func signature(_ node: JSONNode) -> AdapterDefinition.Signature? {
        guard let m = members(node, "signature", known: ["algorithm", "string", "encoding"]) else { return nil }
        let algorithm = m["algorithm"]?.string.flatMap(AdapterDefinition.SigningAlgorithm.init(rawValue:))
        if algorithm == nil {
            error("signature.algorithm", (m["algorithm"] ?? node).line,
                  "must be one of \(AdapterDefinition.SigningAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let string = template(m["string"], "signature.string", parent: node, envelope: false)
        let encoding = encoding(m["encoding"], "signature.encoding", parent: node)
        guard let algorithm, let string, let encoding else { return nil }
        return .init(algorithm: algorithm, string: string, encoding: encoding)
    }

    mutating func encoding(_ node: JSONNode?, _ key: String, parent: JSONNode) -> AdapterDefinition.BinaryEncoding? {
        guard let node else { return .hex }
        if let e = node.string.flatMap(AdapterDefinition.BinaryEncoding.init(rawValue:)) { return e }
        error(key, node.line, "must be one of \(AdapterDefinition.BinaryEncoding.allCases.map(\.rawValue).joined(separator: ", "))")
        return nil
    }

    mutating func encryption(_ node: JSONNode) -> AdapterDefinition.Encryption? {
        guard let m = members(node, "encryption", known: ["algorithm", "key", "iv", "encoding"]) else { return nil }
        var mode: SM4Cipher.Mode?
        switch m["algorithm"]?.string {
        case "sm4-cbc": mode = .cbc
        case "sm4-ecb": mode = .ecb
        default: error("encryption.algorithm", (m["algorithm"] ?? node).line, "must be \"sm4-cbc\" or \"sm4-ecb\"")
        }
        var key: AdapterDefinition.KeySource?
        if let k = m["key"] {
            if k.string == "secret-hex" { key = .secretHex } else if let f = k["file"]?.string, f.hasPrefix("/") { key = .file(f) } else {
                error("encryption.key", k.line, "must be \"secret-hex\" or {\"file\": \"/absolute/path\"}")
            }
        } else { error("encryption.key", node.line, "required") }
        var iv = [UInt8](repeating: 0, count: 16)
        if let v = m["iv"] {
            if let text = v.string, let bytes = Hex.decode(text.lowercased()), bytes.count == 16 { iv = bytes } else {
                error("encryption.iv", v.line, "must be 32 hex digits")
            }
        }
        let encoding = encoding(m["encoding"], "encryption.encoding", parent: node)
        guard let mode, let key, let encoding else { return nil }
        return .init(mode: mode, key: key, iv: iv, encoding: encoding)
    }

    mutating func response(_ node: JSONNode) -> AdapterDefinition.Response? {
        let known = ["okStatuses", "statuses", "success", "results", "batch", "accepted", "duplicate", "rejected", "transient"]
        guard let m = members(node, "response", known: known) else { return nil }
        var ok: Set<Int> = [200]
        if let o = m["okStatuses"] {
            if case .array(let items) = o.kind {
                ok = Set(items.compactMap { self.int($0, "response.okStatuses", range: 100...599) })
            } else { error("response.okStatuses", o.line, "must be an array of statuses") }
        }
        var statuses: [Int: AdapterDefinition.StatusMeaning] = [:]
        if let s = m["statuses"] {
            if case .object(let entries) = s.kind {
                for entry in entries {
                    guard let code = Int(entry.key), (100...599).contains(code) else { error("response.statuses." + entry.key, entry.line, "not an HTTP status"); continue }
                    if let meaning = entry.value.string.flatMap(AdapterDefinition.StatusMeaning.init(rawValue:)) { statuses[code] = meaning } else {
                        error("response.statuses." + entry.key, entry.line,
                              "must be one of \(AdapterDefinition.StatusMeaning.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                }
            } else { error("response.statuses", s.line, "must be an object: status → meaning") }
        }
        var success: AdapterDefinition.Success?
        if let s = m["success"], let sm = members(s, "response.success", known: ["header", "body", "values"]) {
            let values = strings(sm["values"], "response.success.values")
            if values.isEmpty { error("response.success.values", s.line, "required: the values meaning success") }
            if let h = sm["header"]?.string { success = .init(place: .header, key: h, values: values) } else if let b = sm["body"]?.string {
                success = .init(place: .body, key: b, values: values)
            } else { error("response.success", s.line, "needs \"header\": NAME or \"body\": PATH") }
        }
        var reading: AdapterDefinition.Reading?
        switch (m["results"], m["batch"]) {
        case (let r?, nil):
            if let rm = members(r, "response.results", known: ["list", "id", "status", "reason"]),
               let list = string(rm["list"], "response.results.list", parent: r),
               let id = string(rm["id"], "response.results.id", parent: r),
               let status = string(rm["status"], "response.results.status", parent: r) {
                reading = .perRecord(list: list, id: id, status: status, reason: rm["reason"]?.string)
            }
        case (nil, let b?):
            if let bm = members(b, "response.batch", known: ["header", "body", "reason"]) {
                let reason = bm["reason"]?.string
                if let h = bm["header"]?.string { reading = .batch(place: .header, code: h, reason: reason) } else if let p = bm["body"]?.string {
                    reading = .batch(place: .body, code: p, reason: reason)
                } else { error("response.batch", b.line, "needs \"header\": NAME or \"body\": PATH of the batch's code") }
            }
        default:
            error("response", node.line, "needs exactly one of \"results\" (per-record) or \"batch\" (one code per batch)")
        }
        let accepted = strings(m["accepted"], "response.accepted")
        if accepted.isEmpty { error("response.accepted", node.line, "required: the codes meaning accepted") }
        let rejected = strings(m["rejected"], "response.rejected")
        if rejected.isEmpty { error("response.rejected", node.line, "required: the codes meaning rejected") }
        let duplicate = strings(m["duplicate"], "response.duplicate")
        let transient = strings(m["transient"], "response.transient")
        let allCodes = accepted + duplicate + rejected + transient
        if Set(allCodes).count != allCodes.count { error("response", node.line, "a code appears in more than one of accepted, duplicate, rejected, transient") }
        guard let reading else { return nil }
        return .init(okStatuses: ok, statuses: statuses, success: success, reading: reading,
                     accepted: accepted, duplicate: duplicate, rejected: rejected, transient: transient)
    }
}
