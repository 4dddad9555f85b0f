import EvalCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The `/v1` routes over a `CounterAPI`. The same routes serve the Unix
/// socket and the loopback port; only the access policy differs.
enum CounterAPIRoutes {
    static func router<C: Clock>(api: CounterAPI<C>, policy: AccessPolicy, bodyLimit: Int) -> Router<APIRequestContext>
    where C.Duration == Duration {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: AccessMiddleware(policy: policy))

        router.post("/v1/services") { request, context -> Response in
            let body = try await collect(request, limit: bodyLimit)
            let open = try APIRequests.open(body)
            try context.scope.require(open.opening.windowCode)
            let record = try await api.open(open)
            var headers = HTTPFields()
            headers[.location] = "/v1/services/\(record.serviceId)"
            return APIResponses.json(201, APIJSON.service(record), headers: headers)
        }
        router.get("/v1/services/:serviceId") { _, context -> Response in
            let id = try context.parameters.require("serviceId")
            try await requireService(id, api: api, context: context)
            return APIResponses.json(200, APIJSON.service(try await api.service(id)))
        }
        router.post("/v1/services/:serviceId/detail") { request, context -> Response in
            let id = try context.parameters.require("serviceId")
            try await requireService(id, api: api, context: context)
            let detail = try APIRequests.detail(try await collect(request, limit: bodyLimit))
            return APIResponses.json(200, APIJSON.service(try await api.detail(id, detail)))
        }
        router.post("/v1/follow-ups") { request, context -> Response in
            let followUp = try APIRequests.followUp(try await collect(request, limit: bodyLimit))
            try context.scope.require(followUp.windowCode)
            let evaluationId = try await api.followUp(followUp)
            return APIResponses.json(201, ["evaluationId": evaluationId, "windowCode": followUp.windowCode, "projectNo": followUp.projectNo,
                                           "satisfaction": followUp.satisfaction.rawValue, "assessNumber": AssessNumber.followUp.rawValue])
        }
        router.delete("/v1/services/:serviceId") { _, context -> Response in
            let id = try context.parameters.require("serviceId")
            try await requireService(id, api: api, context: context)
            return APIResponses.json(200, APIJSON.service(try await api.cancel(id)))
        }
        router.put("/v1/windows/:windowCode/staff") { request, context -> Response in
            let windowCode = try APIRequests.windowCode(try context.parameters.require("windowCode"))
            try context.scope.require(windowCode)
            let staff = try APIRequests.staff(try await collect(request, limit: bodyLimit))
            try await api.logIn(windowCode: windowCode, staff: staff)
            return APIResponses.json(200, ["windowCode": windowCode, "staff": ["loginName": staff.loginName, "name": staff.name]])
        }
        router.delete("/v1/windows/:windowCode/staff") { _, context -> Response in
            let windowCode = try APIRequests.windowCode(try context.parameters.require("windowCode"))
            try context.scope.require(windowCode)
            try await api.logOut(windowCode: windowCode)
            return APIResponses.json(200, ["windowCode": windowCode])
        }
        router.get("/v1/windows") { _, context -> Response in
            let windows = await api.windows().filter { context.scope.allows($0.0.windowCode) }.map { APIJSON.window($0.0, waiting: $0.1) }
            return APIResponses.json(200, ["windows": windows])
        }
        router.get("/v1/events") { request, context -> Response in
            var windowCode: String?
            if let text = request.uri.queryParameters["windowCode"].map(String.init) {
                let code = try APIRequests.windowCode(text)
                guard await api.knowsWindow(code) else { throw APIError.unknownWindow(code) }
                windowCode = code
            }
            if case .windows = context.scope {
                guard let windowCode else { throw APIError(403, "window-not-allowed", "this token may watch its own windows only: add ?windowCode=") }
                try context.scope.require(windowCode)
            }
            guard let stream = api.events.subscribeIfRoom(windowCode: windowCode) else {
                throw APIError(503, "too-many-streams", "\(api.events.maxSubscribers) event streams are open already; try again later",
                               retryAfter: 5)
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                // A first comment, so a client knows it is subscribed before it acts.
                try await writer.write(ByteBuffer(string: ": subscribed\n\n"))
                for await event in stream {
                    try await writer.write(ByteBuffer(string: event.serverSentEvent))
                }
                try await writer.finish(nil)
            })
        }
        return router
    }

    /// A per-window token reads and cancels only the services of its windows;
    /// others are "not found" to it, as if they did not exist.
    private static func requireService<C: Clock>(_ id: String, api: CounterAPI<C>, context: APIRequestContext) async throws
    where C.Duration == Duration {
        guard case .windows = context.scope else { return }
        guard let windowCode = await api.windowCode(ofService: id), context.scope.allows(windowCode) else {
            throw APIError.notFound("no service \(id)")
        }
    }

    private static func collect(_ request: Request, limit: Int) async throws -> Data {
        var request = request
        do {
            return Data(Array(buffer: try await request.collectBody(upTo: limit)))
        } catch is NIOTooManyBytesError {
            throw APIError(413, "body-too-large", "the body is larger than \(limit) bytes")
        }
    }
}
