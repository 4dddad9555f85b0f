/// Every section and key evald.toml may hold. `TOMLSectionReader` rejects a
/// key not listed here (a typo is an error, never ignored) and traps in a
/// debug build when the mapper reads one that is missing, so this list and
/// the mapper cannot disagree; the docs-drift test checks every key docs/
/// shows against the same list.
public enum ConfigurationSchema {
    /// Section → its keys. `""` is the top level; `window` is `[[window]]`,
    /// `window.staff` the inline tables of its `staff` array.
    public static let keys: [String: Set<String>] = [
        "": ["agent", "queue", "platform", "window", "devices", "sessions", "alert", "api", "metrics", "report"],
        "agent": ["state_dir", "lock_file", "status_file", "log_level", "metrics_listen", "status_interval_seconds"],
        "queue": ["path", "max_pending_records", "max_pending_bytes", "min_free_bytes", "delivered_retention_days",
                  "personal_data_retention_days", "undelivered_personal_data_days", "bad_review_identity_max_days",
                  "quarantine_retention_days"],
        "platform": ["adapter", "base_url", "app_key", "app_secret_file", "app_secret_credential", "ca_file", "client_cert_file",
                     "client_key_file", "connect_timeout_ms", "request_timeout_ms", "batch_size", "max_in_flight", "backoff_base_ms",
                     "backoff_cap_ms", "satisfaction_scale", "uncertain_time", "pf_map", "allow_insecure_http"],
        "window": ["area_code", "window_code", "dept_code", "dept_name", "hall_code", "task_code", "task_name", "pf", "staff", "devices",
                   "version", "evaversion", "task_type", "promisetime", "data_source",
                   "reason_codes_dissatisfied", "reason_codes_very_dissatisfied", "reason_timeout_seconds"],
        "window.staff": ["login_name", "name"],
        "devices": ["profile_dir", "simulated_keypad", "evdev", "libusb", "hidraw", "serial_ports"],
        "devices.serial_ports": ["path", "profile", "reopen_ms"],
        "sessions": ["debounce_ms", "min_interval_ms", "identity_bind_seconds", "default_ratings", "calendar_dir", "local_calendar_dir", "scan_rules_file",
                     "code_key_file", "reason_codes_file"],
        "alert": ["command", "timeout_ms", "reveal_personal_data", "deadline_near_working_days"],
        "api": ["enabled", "socket", "socket_group", "listen", "token_file", "token_credential", "allowed_origins", "max_body_bytes",
                "opens_per_second", "open_burst", "writes_per_second", "write_burst", "max_connections", "idle_timeout_seconds",
                "header_timeout_seconds", "max_event_streams", "allowed_hosts", "window_tokens", "detail_window_seconds", "follow_up_days"],
        "api.window_tokens": ["token_file", "windows"],
        "metrics": ["max_connections", "idle_timeout_seconds", "header_timeout_seconds"],
        "report": ["monthly_dir"],
    ]

    /// Tables whose keys are data, not names: `[platform.pf_map]` maps
    /// channel codes (`"5" = 6`), checked by the mapper itself.
    public static let freeFormTables: Set<String> = ["platform.pf_map"]

    /// Whether `[section]` (or `[[section]]`) exists; a nested table counts
    /// when its parent has it as a key (`platform.pf_map`).
    public static func isSection(_ section: String) -> Bool {
        keys[section] != nil || freeFormTables.contains(section)
    }

    /// Whether `key` may appear in `section` (`""` for the top level).
    public static func isKey(_ key: String, in section: String) -> Bool {
        if freeFormTables.contains(section) { return true }
        return keys[section]?.contains(key) == true
    }
}
