import Foundation
import ZISyncCore
import ZISyncProtocol
import ZISyncStore

extension SyncRound {
    // MARK: - Files up

    /// Uploads the files of this subtree the parent has not confirmed, each resuming from what
    /// the parent holds.
    func uploadFiles(_ report: inout SyncReport, progress: Progress?) async throws {
        // Files lost from the disk behind zisync's back are wanted again rather than sent.
        try store.ledger.checkStoredFiles()
        let waiting = try store.ledger.fileRetries(.up)
        let now = HybridClock.systemMilliseconds()
        for (sha, size) in try store.ledger.filesToUpload() {
            if let retry = waiting[sha], retry.retryAt > now {
                report.filesWaiting += 1
                continue
            }
            try await perFile(.up, "uploading", sha, size, &report) {
                try await uploadFile(sha, size: size, &$0, progress: progress)
            }
        }
    }

    func uploadFile(_ sha: String, size: Int64, _ report: inout SyncReport, progress: Progress?) async throws {
        let link = self.link
        var offset = try await policy.retrying { try await link.uploadOffset(sha256: sha, size: size) }
        var failures = 0
        while offset < size {
            let chunk = try store.files.read(sha, offset: offset, count: SyncProtocol.chunkBytes)
            let next: Int64
            do {
                next = try await link.upload(
                    sha256: sha, offset: offset, chunk: chunk,
                    progress: Self.transferProgress(progress, "upload \(sha.prefix(12))", base: offset, total: size))
            } catch let failure as LinkFailure
                where (failure.isTransient || failure.status == 409 || failure.status == 423)
                && failures + 1 < max(1, policy.retries)
            {
                // The link broke mid-chunk, or the parent holds a different amount than we thought
                // (a cut PATCH drained late): ask how much it holds and go on from there.
                failures += 1
                try await Task.sleep(nanoseconds: policy.retryDelay(failures))
                offset = try await policy.retrying { try await link.uploadOffset(sha256: sha, size: size) }
                continue
            }
            guard next > offset else {
                throw LinkFailure.malformed("the parent did not advance the upload offset", request: Route.file(sha))
            }
            report.bytesUploaded += next - offset
            offset = next
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
