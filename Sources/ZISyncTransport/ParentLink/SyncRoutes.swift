import Foundation
import HTTPTypes
import Hummingbird
import ZISyncEngine
import ZISyncProtocol

/// `POST /v1/push`, `GET /v1/pull`, `POST /v1/report`: HTTP in and out of the parent's endpoint.
struct SyncRoutes {
    let endpoint: ParentEndpoint

    func add(to router: Router<ChildRequestContext>) {
        router.post(RouterPath(Route.push)) { request, context in
            try await HTTPAnswers.answering { try await push(request, context) }
        }
        router.get(RouterPath(Route.pull)) { request, context in
            try await HTTPAnswers.answering { try await pull(request, context) }
        }
        router.get(RouterPath(Route.restore)) { request, context in
            try await HTTPAnswers.answering { try await pull(request, context, restore: true) }
        }
        router.post(RouterPath(Route.report)) { request, context in
            try await HTTPAnswers.answering { try await report(request, context) }
        }
    }

    func push(_ request: Request, _ context: ChildRequestContext) async throws -> Response {
        let child = try context.admitted()
        var request = request
        var body = Data(buffer: try await request.collectBody(upTo: SyncProtocol.maxPushBytes))
        if request.headers[.contentEncoding] == "gzip" {
            do {
                body = try SyncProtocol.gunzip(body)
            } catch {
                return HTTPAnswers.error(.badRequest, "the push body is not gzip, or expands beyond the limit")
            }
        }
        let push: PushRequest
        do {
            push = try PushRequest.decode(body)
        } catch {
            return HTTPAnswers.error(.badRequest, "the push body is not a zisync push: \(error)")
        }
        let answer = try await endpoint.push(push, from: child)
        return try HTTPAnswers.json(answer.encoded(), request: request)
    }

    func pull(_ request: Request, _ context: ChildRequestContext, restore: Bool = false) async throws -> Response {
        let child = try context.admitted()
        let query = request.uri.queryParameters
        let page = try await endpoint.pull(
            after: query.get(Route.PullQuery.after, as: Int64.self) ?? 0,
            limit: query.get(Route.PullQuery.limit, as: Int.self), for: child, restore: restore)
        return try HTTPAnswers.json(page.encoded(), request: request)
    }

    func report(_ request: Request, _ context: ChildRequestContext) async throws -> Response {
        let child = try context.admitted()
        var request = request
        let body = Data(buffer: try await request.collectBody(upTo: SyncProtocol.maxReportBytes))
        try await endpoint.report(try ChildReport.decode(body), from: child)
        return try HTTPAnswers.json(Data("{}".utf8), request: request)
    }
}
