import Foundation
import ZISyncCore

/// A malformed protocol body: what is wrong with it, for the answer or the log.
public struct MalformedMessage: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// `POST /v1/push`: `{"certificates":[DER as base64, …],"changes":[wire change, …],"from":"32.17"}`.
public struct PushRequest: Sendable {
    public var from: String
    /// Each change decoded on its own: one malformed change does not spoil the batch.
    public var changes: [Result<Change, ChangeDecoder.Malformed>]
    /// The certificates of the changes' origins (their signatures are checked against them).
    public var certificates: [[UInt8]] = []

    /// The body, built from the changes' wire forms as stored (no decoding, no re-encoding).
    public static func encode(from: String, wire: some Collection<String>, certificates: [[UInt8]] = []) -> Data {
        var j = CanonicalJSON()
        j.raw("{")
        Certificates.encode(certificates, into: &j)
        j.raw("\"changes\":")
        j.array(wire)
        j.raw(",\"from\":")
        j.string(from)
        j.raw("}")
        return Data(j.bytes)
    }

    public static func decode(_ data: some Collection<UInt8>) throws(MalformedMessage) -> PushRequest {
        let m = try members(data, what: "push")
        guard case .string(let from)? = m["from"] else { throw MalformedMessage("the push body has no 'from'") }
        guard case .array(let items)? = m["changes"] else {
            throw MalformedMessage("the push body's 'changes' is not an array")
        }
        return PushRequest(
            from: from,
            changes: items.map { item in
                do throws(ChangeDecoder.Malformed) { return .success(try ChangeDecoder.change(item)) } catch {
                    return .failure(error)
                }
            }, certificates: try Certificates.decode(m["certificates"], what: "push"))
    }
}

/// The certificates that travel with changes: DER, base64 in JSON, a bounded list.
public enum Certificates {
    public static let maxCount = 2048
    public static let maxBytes = 16_384

    /// `"certificates":[…],` when there are any.
    static func encode(_ certificates: [[UInt8]], into j: inout CanonicalJSON) {
        guard !certificates.isEmpty else { return }
        j.raw("\"certificates\":")
        j.array(certificates.map { "\"" + Data($0).base64EncodedString() + "\"" })
        j.raw(",")
    }

    public static func decode(_ value: JSONValue?, what: String) throws(MalformedMessage) -> [[UInt8]] {
        guard let value else { return [] }
        guard case .array(let items) = value, items.count <= maxCount else {
            throw MalformedMessage("the \(what) body's certificates are not a list of at most \(maxCount)")
        }
        var out: [[UInt8]] = []
        for item in items {
            guard case .string(let text) = item, text.utf8.count <= maxBytes * 2,
                let der = Data(base64Encoded: text), der.count <= maxBytes
            else { throw MalformedMessage("the \(what) body carries a certificate that is not base64 DER") }
            out.append(Array(der))
        }
        return out
    }

    public static func base64(_ certificates: [[UInt8]]) -> [String] {
        certificates.map { Data($0).base64EncodedString() }
    }

    public static func decode(base64 list: [String]?) -> [[UInt8]] {
        (list ?? []).prefix(maxCount).compactMap { text in
            guard text.utf8.count <= maxBytes * 2, let der = Data(base64Encoded: text), der.count <= maxBytes else {
                return nil
            }
            return Array(der)
        }
    }
}

/// A change a node would not apply, and why: in a push answer, a bundle import, a round's report.
public struct Refusal: Codable, Sendable, Equatable {
    /// `origin:seq`, or the position of a change that could not even be read (`#3`, `line 7`).
    public let change: String
    public let record: String
    public let reason: String

    public init(change: String, record: String, reason: String) {
        self.change = change
        self.record = record
        self.reason = reason
    }

    /// "2 change(s); first 32.17:4 (record 9eab…): hash does not match …": the one wording of a
    /// set of refusals, for statuses, logs and messages.
    public static func summary(_ refusals: [Refusal]) -> String? {
        guard let first = refusals.first?.cleaned else { return nil }
        return "\(refusals.count) change(s); first \(first.change) (record \(first.record)): \(first.reason)"
    }
}

/// The parent's answer to a push.
public struct PushAnswer: Codable, Sendable, Equatable {
    public var accepted: Int
    public var duplicates: Int
    /// Changes of the pushing child's subtree that the parent holds, not applied, after this batch
    /// (waiting for an earlier change, or for the parent's clock to reach theirs).
    public var held: Int
    public var refused: [Refusal]
    /// The chain tips the parent now holds for every origin in the child's subtree.
    public var tips: [String: Int64]
    /// The hash of each of those tips: a child believes a tip only when it holds the same change.
    public var tipHashes: [String: String]?
    /// The parent's clock in milliseconds, for skew detection.
    public var serverTime: Int64
    /// Why changes were held rather than applied (a clock running ahead), when they were.
    public var heldReason: String?

    public init(
        accepted: Int, duplicates: Int, held: Int, refused: [Refusal], tips: [String: Int64], serverTime: Int64,
        heldReason: String? = nil, tipHashes: [String: String]? = nil
    ) {
        self.tipHashes = tipHashes
        self.accepted = accepted
        self.duplicates = duplicates
        self.held = held
        self.refused = refused
        self.tips = tips
        self.serverTime = serverTime
        self.heldReason = heldReason
    }
}

extension PushAnswer {
    /// The parent's answer as the child may believe it: counts, tips and time within bounds, at
    /// most one refusal per change sent, text cleaned (it reaches logs and terminals).
    public static func decode(_ data: Data, sent: Int) throws(MalformedMessage) -> PushAnswer {
        var answer: PushAnswer
        do {
            answer = try JSONDecoder().decode(PushAnswer.self, from: data)
        } catch {
            throw MalformedMessage("the push answer is not a zisync push answer")
        }
        // Accepted counts what this batch let the parent apply, earlier held changes included (a
        // batch that arrived first waits for this one): it may exceed what this batch carried.
        try check(answer.accepted, PeerBounds.count, "accepted")
        try check(answer.duplicates, 0...sent, "duplicates")
        try check(answer.held, PeerBounds.count, "held")
        try check(answer.serverTime, PeerBounds.time, "serverTime")
        guard answer.refused.count <= sent else {
            throw MalformedMessage("refused lists \(answer.refused.count) changes of \(sent) sent")
        }
        for (origin, seq) in answer.tips {
            try check(seq, PeerBounds.sequence, "tips[\(PeerText.clean(origin, max: 32))]")
        }
        try checkHashes(answer.tipHashes, "tipHashes")
        answer.refused = answer.refused.map { $0.cleaned }
        answer.heldReason = answer.heldReason.map { PeerText.clean($0) }
        return answer
    }
}

extension Refusal {
    /// The refusal with its words cleaned for a log or a terminal.
    public var cleaned: Refusal {
        Refusal(
            change: PeerText.clean(change, max: 64), record: PeerText.clean(record, max: 64),
            reason: PeerText.clean(reason))
    }
}

/// `GET /v1/pull` answers a page of changes in the child's scope after its cursor.
public struct PullPage: Sendable, Equatable {
    public var changes: [Change]
    /// The cursor to ask from next (the parent's arrival number of the last change looked at).
    public var next: Int64
    public var more: Bool
    public var serverTime: Int64
    /// The parent's database identity: a cursor belongs to it, and restarts when it changes.
    public var parent: String?
    /// The chain tips the parent holds for every origin in the child's subtree (on the last page):
    /// a child that believed the parent held more sends again from these.
    public var tips: [String: Int64]?
    /// The hash of each tip (with `tips`).
    public var tipHashes: [String: String]?
    /// The certificates of the page's origins.
    public var certificates: [[UInt8]] = []

    public init(
        changes: [Change], next: Int64, more: Bool, serverTime: Int64, parent: String? = nil,
        tips: [String: Int64]? = nil, tipHashes: [String: String]? = nil, certificates: [[UInt8]] = []
    ) {
        self.tipHashes = tipHashes
        self.certificates = certificates
        self.changes = changes
        self.next = next
        self.more = more
        self.serverTime = serverTime
        self.parent = parent
        self.tips = tips
    }

    /// `{"changes":[…],"more":…,"next":…,"parent":…,"serverTime":…,"tips":{…}}` from the changes'
    /// stored wire forms.
    public static func encode(
        wire: some Collection<String>, next: Int64, more: Bool, serverTime: Int64, parent: String? = nil,
        tips: [String: Int64]? = nil, tipHashes: [String: String]? = nil, certificates: [[UInt8]] = []
    ) -> Data {
        var j = CanonicalJSON()
        j.raw("{")
        Certificates.encode(certificates, into: &j)
        j.raw("\"changes\":")
        j.array(wire)
        j.raw(",\"more\":")
        j.value(.bool(more))
        j.raw(",\"next\":")
        j.int(next)
        if let parent {
            j.raw(",\"parent\":")
            j.string(parent)
        }
        j.raw(",\"serverTime\":")
        j.int(serverTime)
        if let tips {
            j.raw(",\"tips\":{")
            for (i, (origin, seq)) in tips.sorted(by: { $0.key < $1.key }).enumerated() {
                if i > 0 { j.raw(",") }
                j.string(origin)
                j.raw(":")
                j.int(seq)
            }
            j.raw("}")
        }
        if let tipHashes {
            j.raw(",\"tipHashes\":{")
            for (i, (origin, hash)) in tipHashes.sorted(by: { $0.key < $1.key }).enumerated() {
                if i > 0 { j.raw(",") }
                j.string(origin)
                j.raw(":")
                j.string(hash)
            }
            j.raw("}")
        }
        j.raw("}")
        return Data(j.bytes)
    }

    /// Every change must be well formed: a page is applied whole or not at all.
    public static func decode(_ data: some Collection<UInt8>) throws(MalformedMessage) -> PullPage {
        let m = try members(data, what: "pull")
        guard case .array(let items)? = m["changes"], case .int(let next)? = m["next"],
            case .bool(let more)? = m["more"], case .int(let serverTime)? = m["serverTime"]
        else { throw MalformedMessage("the pull answer is not a zisync pull answer") }
        try check(next, PeerBounds.sequence, "next")
        try check(serverTime, PeerBounds.time, "serverTime")
        guard items.count <= SyncProtocol.maxPullChanges else {
            throw MalformedMessage(
                "the pull answer carries \(items.count) changes, more than \(SyncProtocol.maxPullChanges)")
        }
        var changes: [Change] = []
        changes.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            do throws(ChangeDecoder.Malformed) {
                changes.append(try ChangeDecoder.change(item))
            } catch {
                throw MalformedMessage("change #\(i + 1) of the pull answer: \(error)")
            }
        }
        var parent: String?
        if let value = m["parent"] {
            guard case .string(let id) = value, (1...64).contains(id.utf8.count) else {
                throw MalformedMessage("the pull answer's parent is not an identity")
            }
            parent = PeerText.clean(id, max: 64)
        }
        var tips: [String: Int64]?
        if let value = m["tips"] {
            guard case .object(let list) = value, list.count <= 10_000 else {
                throw MalformedMessage("the pull answer's tips are not an object of sequences")
            }
            var out: [String: Int64] = [:]
            for (origin, seq) in list {
                let field = "tips[\(PeerText.clean(origin, max: 32))]"
                guard case .int(let n) = seq else { throw MalformedMessage("\(field) is not a sequence") }
                try check(n, PeerBounds.sequence, field)
                out[origin] = n
            }
            tips = out
        }
        var tipHashes: [String: String]?
        if let value = m["tipHashes"] {
            guard case .object(let list) = value else {
                throw MalformedMessage("the pull answer's tipHashes are not an object")
            }
            var out: [String: String] = [:]
            for (origin, hash) in list {
                guard case .string(let h) = hash else {
                    throw MalformedMessage("tipHashes[\(PeerText.clean(origin, max: 32))] is not a hash")
                }
                out[origin] = h
            }
            try checkHashes(out, "tipHashes")
            tipHashes = out
        }
        return PullPage(
            changes: changes, next: next, more: more, serverTime: serverTime, parent: parent, tips: tips,
            tipHashes: tipHashes, certificates: try Certificates.decode(m["certificates"], what: "pull"))
    }
}

/// The body of every answer that is an error: `{"error":"…"}`.
public struct ErrorAnswer: Codable, Sendable {
    public let error: String

    public init(error: String) { self.error = error }
}

/// What a child tells its parent about itself after each round (`POST /v1/report`), so the
/// parent's `status` can show how far behind each office is and why.
public struct ChildReport: Codable, Sendable, Equatable {
    /// Changes made in the child's subtree that the parent does not hold yet.
    public var pendingChanges: Int
    public var pendingFiles: Int
    public var pendingBytes: Int64
    /// When the oldest of those changes was made (ms since the epoch).
    public var oldestPending: Int64?
    /// The child's last problem, as its own `status` words it.
    public var problem: SyncProblem?
    /// A province's own children that need attention (failing or late), and how many are ok or
    /// never seen: so KPU RI sees the kab/kota too. Nil from a node without children.
    public var below: Below?

    public struct Below: Codable, Sendable, Equatable {
        public var attention: [OfficeState]
        public var ok: Int
        public var neverSeen: Int

        public init(attention: [OfficeState], ok: Int, neverSeen: Int) {
            self.attention = attention
            self.ok = ok
            self.neverSeen = neverSeen
        }
    }

    public struct OfficeState: Codable, Sendable, Equatable {
        public var satker: String
        /// failing or late.
        public var state: ChildState
        public var lagSeconds: Int64?
        public var problem: SyncProblem?

        public init(satker: String, state: ChildState, lagSeconds: Int64?, problem: SyncProblem?) {
            self.satker = satker
            self.state = state
            self.lagSeconds = lagSeconds
            self.problem = problem
        }
    }

    public init(
        pendingChanges: Int, pendingFiles: Int, pendingBytes: Int64, oldestPending: Int64?, problem: SyncProblem?,
        below: Below? = nil
    ) {
        self.pendingChanges = pendingChanges
        self.pendingFiles = pendingFiles
        self.pendingBytes = pendingBytes
        self.oldestPending = oldestPending
        self.problem = problem
        self.below = below
    }

    public func encoded() -> Data { (try? JSONEncoder().encode(self)) ?? Data("{}".utf8) }

    /// Offices a report may list as needing attention (a province has at most a few dozen).
    public static let maxAttention = 1_000

    /// A report as a parent may keep and show it: every number within its bounds (a lag, a time,
    /// a count that arithmetic could overflow is refused, naming the field), text cleaned.
    public static func decode(_ data: Data) throws(MalformedMessage) -> ChildReport {
        var report: ChildReport
        do {
            report = try JSONDecoder().decode(ChildReport.self, from: data)
        } catch {
            throw MalformedMessage("the body is not a zisync child report")
        }
        try check(report.pendingChanges, PeerBounds.count, "pendingChanges")
        try check(report.pendingFiles, PeerBounds.count, "pendingFiles")
        try check(report.pendingBytes, PeerBounds.bytes, "pendingBytes")
        if let oldest = report.oldestPending { try check(oldest, PeerBounds.time, "oldestPending") }
        report.problem = try report.problem?.checked("problem")
        if var below = report.below {
            guard below.attention.count <= maxAttention else {
                throw MalformedMessage("below.attention lists more than \(maxAttention) offices")
            }
            try check(below.ok, PeerBounds.count, "below.ok")
            try check(below.neverSeen, PeerBounds.count, "below.neverSeen")
            for i in below.attention.indices {
                let field = "below.attention[\(i)]"
                below.attention[i].satker = PeerText.clean(below.attention[i].satker, max: 32)
                if let lag = below.attention[i].lagSeconds { try check(lag, PeerBounds.seconds, field + ".lagSeconds") }
                below.attention[i].problem = try below.attention[i].problem?.checked(field + ".problem")
            }
            report.below = below
        }
        return report
    }
}

/// Tip hashes are SHA-256 in lower-case hex, at most one per tip.
func checkHashes(_ hashes: [String: String]?, _ field: String) throws(MalformedMessage) {
    guard let hashes else { return }
    guard hashes.count <= 10_000 else { throw MalformedMessage("\(field) lists more than 10000 origins") }
    for (origin, hash) in hashes where !Validation.isSHA256Hex(hash) {
        throw MalformedMessage("\(field)[\(PeerText.clean(origin, max: 32))] is not a SHA-256")
    }
}

/// Refuses a number from a peer outside `bounds`, naming the field.
func check<T: Comparable>(_ value: T, _ bounds: ClosedRange<T>, _ field: String) throws(MalformedMessage) {
    guard bounds.contains(value) else {
        throw MalformedMessage("\(field) is \(value), outside \(bounds.lowerBound)...\(bounds.upperBound)")
    }
}

/// How a parent judges a child, worst first.
public enum ChildState: String, Codable, Sendable, CaseIterable, Comparable {
    /// A problem to act on: refusals, an error the child reported.
    case failing
    /// Not heard from in time, or its oldest pending change is too old.
    case late
    case ok
    /// Not enrolled yet, or never connected.
    case neverSeen = "never_seen"

    public static func < (a: ChildState, b: ChildState) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A sync problem in an operator's words: what failed, its cause, and what to do.
public struct SyncProblem: Codable, Sendable, Equatable {
    /// A short key for scripts and metrics.
    public enum Cause: String, Codable, Sendable, CaseIterable {
        case dns, unreachable, timeout, link, tls, certificate, forbidden
        case notZISync = "not_zisync"
        case parentError = "parent_error"
        case `protocol`, refused, held, clock, local, stopped
        /// KPU RI revoked this office's certificate.
        case revoked
        case notSeen = "not_seen"

        /// The link itself failed: the parent cannot be told about it over that link.
        public var isLinkFailure: Bool {
            switch self {
            case .dns, .unreachable, .timeout, .link, .tls, .certificate, .stopped, .notZISync: true
            default: false
            }
        }
    }

    public var cause: Cause
    /// What failed: which request, record or file, with the HTTP status or curl error.
    public var message: String
    /// What to do about it.
    public var advice: String
    /// When it happened (ms since the epoch).
    public var at: Int64

    public init(cause: Cause, message: String, advice: String, at: Int64) {
        self.cause = cause
        self.message = message
        self.advice = advice
        self.at = at
    }

    /// A problem another node stated: its time within bounds, its words cleaned for a log or a terminal.
    func checked(_ field: String) throws(MalformedMessage) -> SyncProblem {
        try check(at, PeerBounds.time, field + ".at")
        return SyncProblem(cause: cause, message: PeerText.clean(message), advice: PeerText.clean(advice), at: at)
    }
}

/// The JSON object at the top of a body, by key.
func members(_ data: some Collection<UInt8>, what: String) throws(MalformedMessage) -> [String: JSONValue] {
    let value: JSONValue
    do {
        value = try JSONValue.parse(data)
    } catch {
        throw MalformedMessage("the \(what) body is not JSON: \(error)")
    }
    guard let m = value.members else { throw MalformedMessage("the \(what) body is not a JSON object") }
    return m
}
