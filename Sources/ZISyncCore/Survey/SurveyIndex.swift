import Foundation

/// One respondent's answers: the service used and one answer per statement, on the
/// instrument's scale.
public struct SurveyResponse: Sendable, Equatable {
    public let service: String
    public let answers: [Int]

    public init(service: String, answers: [Int]) {
        self.service = service
        self.answers = answers
    }
}

/// A period's index as the common template computes it: each statement's mean over the
/// respondents (answers converted to the 1–4 scale), and the index as the mean of those means,
/// every statement weighing the same; overall and per service type.
public struct SurveyIndex: Sendable, Equatable {
    public let respondents: Int
    /// One per statement; nil where nobody answered it.
    public let itemMeans: [Double?]
    /// Nil without respondents.
    public let index: Double?

    /// The index over `responses`; a response whose answers do not fit the instrument (count or
    /// scale) is not counted: responses are checked when they are stored.
    public init(_ responses: [SurveyResponse], instrument: SurveyInstrument) {
        let items = instrument.statements.count
        var sums = Array(repeating: 0.0, count: items)
        var counts = Array(repeating: 0, count: items)
        var respondents = 0
        for r in responses {
            guard r.answers.count == items else { continue }
            let values = r.answers.map(instrument.scale.value)
            guard values.allSatisfy({ $0 != nil }) else { continue }
            respondents += 1
            for (i, v) in values.enumerated() {
                sums[i] += v!
                counts[i] += 1
            }
        }
        self.respondents = respondents
        itemMeans = zip(sums, counts).map { $1 == 0 ? nil : $0 / Double($1) }
        let defined = itemMeans.compactMap { $0 }
        index = defined.isEmpty ? nil : defined.reduce(0, +) / Double(defined.count)
    }

    /// The index per service type, in the services' order.
    public static func perService(_ responses: [SurveyResponse], instrument: SurveyInstrument) -> [(
        service: String, index: SurveyIndex
    )] {
        var order: [String] = []
        var grouped: [String: [SurveyResponse]] = [:]
        for r in responses {
            if grouped[r.service] == nil { order.append(r.service) }
            grouped[r.service, default: []].append(r)
        }
        return order.map { ($0, SurveyIndex(grouped[$0]!, instrument: instrument)) }
    }

    /// The index as the LKE's answer to its hasil item (`3.85`): two decimals, as PortalRB shows it.
    public var lkeAnswer: String? {
        index.map { String(format: "%.2f", ($0 * 100).rounded() / 100) }
    }
}
