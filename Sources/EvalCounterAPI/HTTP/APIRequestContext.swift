import Hummingbird

/// Hummingbird's request context plus what `AccessMiddleware` decided: the
/// windows this request may act on.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var scope: AccessScope = .all

    public init(source: Source) {
        coreContext = .init(source: source)
    }
}
