import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ZISyncCore
import ZISyncStore

/// KPU RI's answers to PortalRB's integration API ("Panduan Teknis API Integrasi ZI" 1.0.0,
/// evaluation.md §3; issue 23): `GET /pengusulan/unit-wbk`, `/pengusulan/unit-wbbm` and
/// `/lke/jawaban-unit/{unit_id}`, behind a bearer token and a rate limit per token, every request
/// logged. The payloads are `PortalRBData`'s; the node serves this router on `portalrb_listen`.
public struct PortalRBSite: Sendable {
    let store: Store
    let logger: Logger
    let rateLimit: RateLimit
    /// The API's address as PortalRB and its evaluators reach it, for the evidence links; asked
    /// at each request (the daemon knows it once it listens).
    let publicBase: @Sendable () async -> String

    public init(
        store: Store, requestsPerMinute: Int, logger: Logger, publicBase: @escaping @Sendable () async -> String
    ) {
        self.store = store
        self.logger = logger
        self.publicBase = publicBase
        rateLimit = RateLimit(perMinute: requestsPerMinute)
    }

    public func router() -> Router<PortalRBContext> {
        let tokens = PortalRBTokens(store)
        let router = Router(context: PortalRBContext.self)
        router.add(middleware: FetchLog(tokens: tokens, logger: logger))
        // The evaluators' evidence links carry their own capability: no token.
        EvidencePages(store: store).register(on: router)
        let api = router.group().add(middleware: BearerToken(tokens: tokens)).add(middleware: rateLimit)
        api.get("/pengusulan/unit-wbk") { request, _ in try units("wbk", request) }
        api.get("/pengusulan/unit-wbbm") { request, _ in try units("wbbm", request) }
        api.get("/lke/jawaban-unit/{unit_id}") { request, context in
            let unit = context.parameters.get("unit_id") ?? ""
            let year = try year(request)
            guard Validation.isSatkerCode(unit), store.registry.contains(unit) else {
                throw PortalRBError.notFound("Unit \(unit.prefix(20)) tidak dikenal.")
            }
            let data = PortalRBData(store)
            guard let answers = try data.payload(unit: unit, year: year, linkBase: await publicBase()) else {
                throw PortalRBError.notFound("Tidak ada data unit \(unit) untuk tahun \(year).")
            }
            try data.served(answers)
            return Self.json(PortalRBData.answersJSON(answers))
        }
        return router
    }

    func units(_ category: String, _ request: Request) throws -> Response {
        let year = try year(request)
        return Self.json(
            PortalRBData.unitsJSON(try PortalRBData(store).units(category: category, year: year), year: year))
    }

    /// The optional `tahun`: this year without it; 422 when it is not a year.
    func year(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters["tahun"].map(String.init) else { return CalendarDay.thisYear() }
        guard text.utf8.count == 4, let y = Int(text), (2000...2100).contains(y) else {
            throw PortalRBError.invalid("Parameter tahun harus tahun empat angka, bukan '\(text.prefix(20))'.")
        }
        return y
    }

    static func json(_ data: Data) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
