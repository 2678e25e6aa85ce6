import Foundation

/// An upload is finished once: a browser that asks the offset during the finishing step (hashing
/// a large file, storing it) and sends the empty last chunk again must not make a second bukti
/// dukung. The first request to finish takes the upload; another meanwhile is told it is under
/// way; one after it gets the same answer the first did (kept for the last 1,000 uploads).
final class UploadFinishes: @unchecked Sendable {
    /// What a finished upload became.
    struct Done: Sendable {
        let evidence: String
        let sha256: String
        let length: Int64
        /// Where the page goes next: the list, with the app's notice.
        let next: String

        var json: [String: Any] {
            ["offset": length, "length": length, "evidence": evidence, "sha256": sha256, "next": next]
        }
    }

    private let lock = NSLock()
    private var running: Set<String> = []
    private var answers: [String: Done] = [:]
    private var order: [String] = []
    static let kept = 1_000

    static func key(_ id: String, user: String) -> String { user + "/" + id }

    /// Takes the finishing of `id`; false when another request has it or has done it.
    func begin(_ id: String, user: String) -> Bool {
        let key = Self.key(id, user: user)
        return lock.withLock {
            guard !running.contains(key), answers[key] == nil else { return false }
            running.insert(key)
            return true
        }
    }

    /// The finishing of `id` ended: with the answer it gave, or nil when it failed (and another
    /// request may try again).
    func end(_ id: String, user: String, answer: Done?) {
        let key = Self.key(id, user: user)
        lock.withLock {
            running.remove(key)
            guard let answer else { return }
            answers[key] = answer
            order.append(key)
            if order.count > Self.kept { answers[order.removeFirst()] = nil }
        }
    }

    /// The answer of a finished upload of `user`'s.
    func answer(_ id: String, user: String) -> Done? {
        lock.withLock { answers[Self.key(id, user: user)] }
    }
}
