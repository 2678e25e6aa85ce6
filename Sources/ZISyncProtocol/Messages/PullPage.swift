import Foundation
import ZISyncCore

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
