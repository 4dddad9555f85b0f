import HTTPTypes
import Hummingbird
import Logging

/// Applies the `AccessPolicy` (origins, preflights, token) before the routes,
/// and turns every error into the API's JSON error shape.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let policy: AccessPolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let access = AccessPolicy.Request(
            method: request.method.rawValue, path: request.uri.path,
            origin: request.headers[.origin], authorization: request.headers[.authorization],
            queryToken: request.uri.queryParameters["access_token"].map(String.init),
            preflightMethod: request.headers[.accessControlRequestMethod],
            privateNetworkRequested: request.headers[.accessControlRequestPrivateNetwork]?.lowercased() == "true",
            host: request.head.authority)
        switch policy.decide(access) {
        case .refuse(let error):
            return APIResponses.error(error)
        case .preflight(let headers):
            var response = Response(status: .noContent)
            for (name, value) in headers { response.headers[HTTPField.Name(name)!] = value }
            return response
        case .proceed(let headers):
            var context = context
            context.scope = policy.scope(access)
            var response: Response
            do {
                response = try await next(request, context)
            } catch let error as APIError {
                response = APIResponses.error(error)
            } catch let error as any HTTPResponseError {
                response = APIResponses.error(APIResponses.error(error))
            } catch {
                context.logger.error("counter API: \(request.method) \(request.uri.path) failed: \(error)")
                response = APIResponses.error(APIError(500, "internal", "the agent could not answer this request"))
            }
            for (name, value) in headers { response.headers[HTTPField.Name(name)!] = value }
            return response
        }
    }
}
