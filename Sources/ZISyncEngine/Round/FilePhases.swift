import Foundation
import ZISyncCore
import ZISyncProtocol
import ZISyncStore

extension SyncRound {
    // MARK: - Files up

    /// How many files go up at once, each on its own connection: a small file costs its creation
    /// and its PATCH two round trips, which leave the line idle unless other files use it
    /// (docs/decisions.md, "Files go up several at a time"). Within the parent's per-child limit.
    public static let filesInFlight = 4
    /// Of those, how many may be sending body bytes at once. The others create their upload or wait
    /// for the parent's answer meanwhile and start their body as one ends: without this the files
    /// in flight share the line evenly, end together, and all wait out the same round trip with the
    /// line idle (a packet-level link showed a 300 ms gap every three files).
    public static let bodiesInFlight = 1

    /// Uploads the files of this subtree the parent has not confirmed, each resuming from what
    /// the parent holds, `filesInFlight` at a time.
    func uploadFiles(_ report: inout SyncReport, progress: Progress?) async throws {
        // Files lost from the disk behind zisync's back are wanted again rather than sent.
        try store.ledger.checkStoredFiles()
        let waiting = try store.ledger.fileRetries(.up)
        let now = HybridClock.systemMilliseconds()
        var due: [(sha: String, size: Int64)] = []
        for (sha, size) in try store.ledger.filesToUpload() {
            if let retry = waiting[sha], retry.retryAt > now {
                report.filesWaiting += 1
            } else {
                due.append((sha, size))
            }
        }
        guard !due.isEmpty else { return }
        let queue = FileQueue(due)
        let meter = progress.map { TransferMeter(files: due.count, bytes: due.map(\.size).reduce(0, +), show: $0) }
        let slots = SendSlots(Self.bodiesInFlight)
        let parts = try await withThrowingTaskGroup(of: SyncReport.self) { group in
            for lane in 0..<min(Self.filesInFlight, due.count) {
                group.addTask {
                    var part = SyncReport()
                    while let (sha, size) = queue.next() {
                        try await self.perFile(.up, "uploading", sha, size, &part) {
                            try await self.uploadFile(sha, size: size, &$0, meter: meter, slots: slots, lane: lane)
                        }
                        meter?.finished(sha, size: size)
                    }
                    return part
                }
            }
            var parts: [SyncReport] = []
            for try await part in group { parts.append(part) }
            return parts
        }
        for part in parts {
            report.filesUploaded += part.filesUploaded
            report.bytesUploaded += part.bytesUploaded
            report.fileProblems += part.fileProblems
            if report.fileProblem == nil { report.fileProblem = part.fileProblem }
        }
    }

    func uploadFile(
        _ sha: String, size: Int64, _ report: inout SyncReport, meter: TransferMeter?, slots: SendSlots, lane: Int
    ) async throws {
        let link = self.link
        var offset = try await policy.retrying { try await link.uploadOffset(sha256: sha, size: size, lane: lane) }
        var failures = 0
        while offset < size {
            let chunk = try store.files.read(sha, offset: offset, count: SyncProtocol.chunkBytes)
            let next: Int64
            do {
                let base = offset
                let slot = try await slots.take()
                defer { slot.give() }
                let length = Int64(chunk.count)
                let watch: TransferProgress = { moved in
                    meter?.moved(sha, base + moved)
                    if moved >= length { slot.give() }  // every byte written: the next body may start
                }
                next = try await link.upload(sha256: sha, offset: offset, chunk: chunk, progress: watch, lane: lane)
            } catch let failure as LinkFailure
                where (failure.isTransient || failure.status == 409 || failure.status == 423)
                && failures + 1 < max(1, policy.retries)
            {
                // The link broke mid-chunk, or the parent holds a different amount than we thought
                // (a cut PATCH drained late): ask how much it holds and go on from there.
                failures += 1
                try await Task.sleep(nanoseconds: policy.retryDelay(failures))
                offset = try await policy.retrying { try await link.uploadOffset(sha256: sha, size: size, lane: lane) }
                continue
            }
            guard next > offset else {
                throw LinkFailure.malformed("the parent did not advance the upload offset", request: Route.file(sha))
            }
            report.bytesUploaded += next - offset
            offset = next
            meter?.moved(sha, offset)
        }
        try store.ledger.markUploaded(sha)
        report.filesUploaded += 1
    }

    // MARK: - Files down

    /// Downloads the files that records here name and that are not here, by ranges appended to
    /// a partial file whose SHA-256 is checked at the end. A file the parent lacks too is left
    /// for a later round (a visible gap, never an error).
    func downloadFiles(_ report: inout SyncReport, progress: Progress?) async throws {
        let waiting = try store.ledger.fileRetries(.down)
        let now = HybridClock.systemMilliseconds()
        for (sha, size) in try store.ledger.missingFiles() {
            if let retry = waiting[sha], retry.retryAt > now {
                report.filesWaiting += 1
                continue
            }
            try await perFile(.down, "downloading", sha, size, &report) {
                try await downloadFile(sha, size: size, &$0, progress: progress)
            }
        }
    }

    func downloadFile(_ sha: String, size: Int64, _ report: inout SyncReport, progress: Progress?) async throws {
        try store.files.beginPartial(sha, length: size)
        var offset = store.files.progress(sha)?.offset ?? 0
        let link = self.link
        while offset < size {
            let range = ByteRange(start: offset, end: min(size, offset + Int64(SyncProtocol.downloadRangeBytes)) - 1)
            let watch = Self.transferProgress(progress, "download \(sha.prefix(12))", base: offset, total: size)
            guard
                let data = try await policy.retrying({
                    try await link.download(sha256: sha, range: range, progress: watch)
                })
            else { break }  // not at the parent either
            guard !data.isEmpty else {
                throw LinkFailure.malformed("empty range answer", request: Route.file(sha), status: 206)
            }
            offset = try store.files.appendPartial(sha, at: offset, data)
            report.bytesDownloaded += Int64(data.count)
        }
        if store.files.contains(sha) { report.filesDownloaded += 1 }
    }

    /// Runs one file's transfer. A broken link ends the round (the pull would fail the same way);
    /// anything else that fails is this file's own problem (refused, too large, a disk error at
    /// either end): it is recorded with the file's name, the file waits for its own next attempt
    /// (backing off), and the round goes on to the next file and to the pull.
    func perFile(
        _ direction: SyncLedger.FileDirection, _ verb: String, _ sha: String, _ size: Int64,
        _ report: inout SyncReport, _ body: (inout SyncReport) async throws -> Void
    ) async throws {
        let step = "\(verb) \(fileLabel(sha, size: size))"
        do {
            try await body(&report)
            try store.ledger.fileSucceeded(sha, direction)
        } catch let failure as LinkFailure where failure.isTransient || failure.cause.isLinkFailure {
            throw RoundStepError(step: step, underlying: failure)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            let problem = SyncProblem.explain(
                RoundStepError(step: step, underlying: error), at: HybridClock.systemMilliseconds())
            try store.ledger.fileFailed(sha, direction, problem: problem.message, at: problem.at)
            report.fileProblems.append(problem.message)
            if report.fileProblem == nil { report.fileProblem = problem }
        }
    }

    static func transferProgress(_ progress: Progress?, _ label: String, base: Int64, total: Int64)
        -> TransferProgress?
    {
        guard let progress else { return nil }
        return { moved in
            let done = base + moved
            progress("\(label): \(done)/\(total) bytes (\(total > 0 ? done * 100 / total : 100)%)")
        }
    }
}

/// The right to send body bytes, `count` uploads at a time; waiting for one ends with the task's
/// cancellation (the round is over).
final class SendSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var free: Int
    private var waiting: [(id: UInt64, resume: CheckedContinuation<Void, Error>)] = []
    private var nextID: UInt64 = 0

    init(_ count: Int) { free = max(1, count) }

    /// Slots free now, and takers waiting (for tests).
    var state: (free: Int, waiting: Int) { lock.withLock { (free, waiting.count) } }

    /// One slot, given back by `give()` (once, whatever calls it).
    final class Slot: @unchecked Sendable {
        private let lock = NSLock()
        private var slots: SendSlots?

        init(_ slots: SendSlots) { self.slots = slots }

        func give() {
            lock.withLock { () -> SendSlots? in
                defer { slots = nil }; return slots
            }?.release()
        }
    }

    func take() async throws -> Slot {
        let id = lock.withLock { () -> UInt64 in
            nextID += 1
            return nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
                let now = lock.withLock { () -> Bool? in
                    if Task.isCancelled { return nil }
                    if free > 0 {
                        free -= 1
                        return true
                    }
                    waiting.append((id, c))
                    return false
                }
                switch now {
                case nil: c.resume(throwing: CancellationError())
                case true?: c.resume()
                case false?: break
                }
            }
        } onCancel: {
            let waiter = lock.withLock { () -> CheckedContinuation<Void, Error>? in
                guard let i = waiting.firstIndex(where: { $0.id == id }) else { return nil }
                return waiting.remove(at: i).resume
            }
            waiter?.resume(throwing: CancellationError())
        }
        return Slot(self)
    }

    private func release() {
        let next = lock.withLock { () -> CheckedContinuation<Void, Error>? in
            if waiting.isEmpty {
                free += 1
                return nil
            }
            return waiting.removeFirst().resume
        }
        next?.resume()
    }
}

/// The files still to send, taken one at a time by the uploads in flight.
final class FileQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var files: [(sha: String, size: Int64)]

    init(_ files: [(sha: String, size: Int64)]) { self.files = files.reversed() }

    func next() -> (String, Int64)? { lock.withLock { files.popLast().map { ($0.sha, $0.size) } } }
}

/// What the operator sees while files go up: files done of all, bytes, and when it should end.
final class TransferMeter: @unchecked Sendable {
    private let lock = NSLock()
    private let files: Int
    private let bytes: Int64
    private let show: SyncRound.Progress
    private let started = Date()
    private var done = 0
    private var doneBytes: Int64 = 0
    private var inFlight: [String: Int64] = [:]
    private var shown = Date.distantPast

    init(files: Int, bytes: Int64, show: @escaping SyncRound.Progress) {
        self.files = files
        self.bytes = bytes
        self.show = show
    }

    func moved(_ sha: String, _ offset: Int64) {
        lock.withLock { inFlight[sha] = offset }
        report(force: false)
    }

    func finished(_ sha: String, size: Int64) {
        lock.withLock {
            inFlight[sha] = nil
            done += 1
            doneBytes += size
        }
        report(force: true)
    }

    private func report(force: Bool) {
        let line: String? = lock.withLock {
            guard force || Date().timeIntervalSince(shown) > 0.25 else { return nil }
            shown = Date()
            let moved = doneBytes + inFlight.values.reduce(0, +)
            let elapsed = Date().timeIntervalSince(started)
            var eta = ""
            if moved > 0 && elapsed > 1 && moved < bytes {
                let seconds = Int64(Double(bytes - moved) / (Double(moved) / elapsed))
                eta = ", about \(OperatorText.duration(seconds)) left"
            }
            return
                "upload: \(done)/\(files) files, \(OperatorText.bytes(moved)) of \(OperatorText.bytes(bytes))\(eta)"
        }
        if let line { show(line) }
    }
}
