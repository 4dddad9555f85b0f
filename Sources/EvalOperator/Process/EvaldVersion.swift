/// The version printed by `--version`, written to the status file and used in
/// the .deb's file name (packaging/build-deb.sh reads it from here).
public enum EvaldVersion {
    public static let current = "0.1.0"
}
