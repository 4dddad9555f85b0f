/// The shipped `config/adapters/evald-json-1.json`, compiled in so that
/// `adapter = "evald-json/1"` (the default) needs no file on disk.
/// `DefinedAdapterTests` checks the two are identical.
extension AdapterDefinition {
    public static let evaldJSON1Text = #"""
{
  "name": "evald-json/1",
  "comment": "evald's reference protocol (shared DOMAIN.md, docs/uplink.md), which platform-sim serves by default. Fields in byte order of their names, as the hand-written adapter wrote them.",
  "endpoint": "/evaluations",
  "maxBatchSize": 100,
  "fields": [
    {"name": "anonymityFlag", "from": "anonymityFlag"},
    {"name": "applyTime", "from": "applyTime"},
    {"name": "areaCode", "from": "areaCode"},
    {"name": "assessNumber", "from": "assessNumber"},
    {"name": "assessTime", "from": "assessTime"},
    {"name": "certKey", "from": "certKey"},
    {"name": "dataSource", "from": "dataSource"},
    {"name": "deptCode", "from": "deptCode"},
    {"name": "deptName", "from": "deptName"},
    {"name": "deviceId", "from": "deviceId"},
    {"name": "evalDetail", "from": "evalDetail"},
    {"name": "evaluatedPersonInfo", "from": "evaluatedPersonInfo"},
    {"name": "evaluationId", "from": "evaluationId"},
    {"name": "evaluationType", "from": "evaluationType"},
    {"name": "evaversion", "from": "evaversion"},
    {"name": "hallCode", "from": "hallCode"},
    {"name": "handleUserName", "from": "handleUserName"},
    {"name": "handleUserPageCode", "from": "handleUserPageCode"},
    {"name": "handleUserPageType", "from": "handleUserPageType"},
    {"name": "mobile", "from": "mobile"},
    {"name": "pf", "from": "pf"},
    {"name": "projectNo", "from": "projectNo"},
    {"name": "promisetime", "from": "promisetime"},
    {"name": "satisfaction", "from": "satisfaction"},
    {"name": "serviceNumber", "from": "serviceNumber"},
    {"name": "taskCode", "from": "taskCode"},
    {"name": "taskName", "from": "taskName"},
    {"name": "taskType", "from": "taskType"},
    {"name": "userName", "from": "userName"},
    {"name": "userPageType", "from": "userPageType"},
    {"name": "userProp", "from": "userProp"},
    {"name": "version", "from": "version"},
    {"name": "windowCode", "from": "windowCode"},
    {"name": "writingEvaluation", "from": "writingEvaluation"}
  ],
  "body": {"format": "json", "template": {"evaluations": "${records}"}},
  "headers": [
    ["Content-Type", "application/json"],
    ["X-App-Key", "${appKey}"],
    ["X-Timestamp", "${timestamp}"],
    ["X-Nonce", "${nonce}"],
    ["X-Signature", "${signature}"]
  ],
  "signature": {
    "algorithm": "hmac-sha256",
    "string": "${method}\n${path}\n${timestamp}\n${nonce}\n${bodySha256}",
    "encoding": "hex"
  },
  "response": {
    "okStatuses": [200],
    "statuses": {"400": "malformed", "401": "unauthorized", "413": "tooLarge", "429": "throttled", "503": "throttled"},
    "results": {"list": "results", "id": "evaluationId", "status": "status", "reason": "reason"},
    "accepted": ["accepted"],
    "duplicate": ["duplicate"],
    "rejected": ["rejected"]
  }
}
"""#

    /// `evald-json/1` as a definition (the daemon's default adapter).
    public static let evaldJSON1: AdapterDefinition = try! parse(Array(evaldJSON1Text.utf8), file: "evald-json/1 (built in)")

    /// `[platform] adapter`: the built-in name, or the path of a definition file.
    public static func resolve(_ adapter: String) throws(DefinitionErrors) -> AdapterDefinition {
        if adapter == evaldJSON1.name { return evaldJSON1 }
        return try load(path: adapter)
    }
}
