/// What a pure decoder makes of raw input: a button number, a finished scan, or
/// a reason the input was thrown away (for the log, never a rating).
public enum DecodedInput: Sendable, Hashable {
    case button(Int)
    case text(String)
    case discarded(String)
}
