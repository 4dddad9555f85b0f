import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// JSON answers and header names the routes share.
enum APIResponses {
    static func json(_ status: Int, _ object: Any, headers extra: HTTPFields = HTTPFields()) -> Response {
        var headers = extra
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: APIJSON.data(object))))
    }

    static func error(_ error: APIError) -> Response {
        var headers = HTTPFields()
        if let retryAfter = error.retryAfter { headers[.retryAfter] = "\(retryAfter)" }
        if error.status == 401 { headers[.wwwAuthenticate] = "Bearer realm=\"evald\"" }
        return json(error.status, APIJSON.error(error.code, error.message, extra: error.details), headers: headers)
    }

    /// Hummingbird's own errors (no route, method not allowed, body too large)
    /// in the API's JSON shape.
    static func error(_ error: any HTTPResponseError) -> APIError {
        switch error.status.code {
        case 404: APIError(404, "not-found", "no such endpoint")
        case 405: APIError(405, "method-not-allowed", "method not allowed here")
        case 413: APIError(413, "body-too-large", "the body is larger than the API accepts")
        default: APIError(error.status.code, "http-error", (error as? HTTPError)?.body ?? error.status.reasonPhrase)
        }
    }
}

extension HTTPField.Name {
    static let origin = HTTPField.Name("Origin")!
    static let accessControlRequestMethod = HTTPField.Name("Access-Control-Request-Method")!
    static let accessControlRequestPrivateNetwork = HTTPField.Name("Access-Control-Request-Private-Network")!
}
