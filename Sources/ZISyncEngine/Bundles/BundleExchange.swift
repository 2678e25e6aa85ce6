import Foundation
import ZISyncCore
import ZISyncProtocol
import ZISyncStore

/// The file transport to the parent, through the same selection and apply code as a push:
/// export writes the outbox (the changes beyond the parent's acknowledgement) and the files the
/// parent has not confirmed; import applies a bundle from an office below with a push's checks
/// (door, hashes, chains, write rules, the clock limit) and keeps the files records name.
public enum BundleExchange {
    public struct ExportSummary: Sendable {
        public let changes: Int
        public let files: Int
        public let bytes: Int64
    }

    /// Writes what `store` would push to its parent into the bundle at `url` (atomically). With
    /// `all`, every change and file of the subtree, whatever the parent acknowledged.
    public static func export(from store: Store, to url: URL, all: Bool = false) throws -> ExportSummary {
        let log = store.changeLog
        var cursor = try log.outbox(all: all)
        let count = cursor.remaining
        let files = all ? try store.ledger.filesOfSubtree() : try store.ledger.filesToUpload()
        let origins = cursor.originCodes
        let writer = try BundleFile.Writer(
            url: url,
            header: BundleFile.Header(
                from: store.node, to: store.parent, changes: count, files: files.count,
                certificates: try store.certificates(of: origins)))
        do {
            var written = 0
            while true {
                let batch = try log.nextBatch(&cursor, maxChanges: 5000, maxBytes: 8 << 20)
                if batch.isEmpty { break }
                for wire in batch { try writer.change(wire) }
                written += batch.count
            }
            guard written == count else {
                throw ZISyncError("the change log changed while exporting (\(written) of \(count) changes); try again")
            }
            for (sha, size) in files {
                try writer.file(sha256: sha, size: size) { offset, n in
                    try store.files.read(sha, offset: offset, count: n)
                }
            }
            try writer.finish()
        } catch {
            writer.abandon()
            throw error
        }
        return ExportSummary(changes: count, files: files.count, bytes: writer.bytes)
    }

    public struct ImportSummary: Sendable {
        public let from: String
        public let report: ReceiveReport
        /// Files of the bundle this node now holds (stored now or already here): what a receipt confirms.
        public let filesHeld: [String]
        public let filesStored: Int
        public let filesSkipped: Int
        /// Evidence whose file is still not on this node (the gap shows, nothing fails).
        public let filesMissing: Int
    }

    /// Checks and applies a bundle: the trailer first (nothing is applied from a damaged file),
    /// then the author (an office below this node), then every change as a push from that office
    /// would be, then the files that records here name and this node lacks.
    public static func `import`(
        _ url: URL, into store: Store, maxClockAheadSeconds: Int = 300, now: Int64 = HybridClock.systemMilliseconds()
    ) throws -> ImportSummary {
        let reader = try BundleFile.Reader(url: url)
        let from = reader.header.from
        guard store.registry.contains(from) else { throw ZISyncError("bundle is from unknown satker '\(from)'") }
        guard store.registry.isStrictAncestor(store.node, of: from) else {
            throw ZISyncError("bundle is from \(from), which is not an office below this node (\(store.node)); refused")
        }
        var changes: [Change] = []
        var malformed: [Refusal] = []
        while let line = try reader.nextChange() {
            switch line {
            case .change(let change): changes.append(change)
            case .malformed(let refusal): malformed.append(refusal)
            }
        }
        var report = try store.ledger.receiveFromBelow(
            changes, sender: from, source: "bundle \(url.lastPathComponent)", at: now,
            maxClockAhead: Int64(maxClockAheadSeconds) * 1000, recordChild: store.registry[from]?.parent == store.node,
            certificates: Certificates.decode(base64: reader.header.certificates))
        report.refused.insert(contentsOf: malformed, at: 0)
        // The same rule as a round's downloads: files that records here name and that are not here.
        let wanted = Set(try store.ledger.missingFiles().map(\.sha256))
        var held: [String] = []
        var stored = 0
        var skipped = 0
        while try reader.nextFile({ sha, _, read in
            if wanted.contains(sha) && !store.files.contains(sha) {
                _ = try store.files.put(expected: sha, chunks: read)
                stored += 1
            } else {
                skipped += 1
            }
            if store.files.contains(sha) { held.append(sha) }
        }) {}
        return ImportSummary(
            from: from, report: report, filesHeld: held, filesStored: stored, filesSkipped: skipped,
            filesMissing: try store.ledger.missingFileCount())
    }

    /// What an importing node tells the office a bundle came from: the chain tips it holds for
    /// that office's subtree, and the bundle's files it holds.
    /// Signed by the importer, when it has a key: only its parent can tell an office what it holds.
    public static func receipt(by store: Store, for summary: ImportSummary) throws -> BundleReceipt {
        let tips = try store.changeLog.chainTips(subtree: summary.from)
        var receipt = BundleReceipt(
            from: store.node, for: summary.from, tips: tips.seqs, files: summary.filesHeld, tipHashes: tips.hashes)
        if let key = store.originKey {
            receipt.certificate = Certificates.base64([key.certificateDER]).first
            receipt.signature = key.sign(receipt.signedBytes)
        }
        return receipt
    }

    /// Records a receipt on the office it was made for, from its parent: the next bundle (and
    /// push) carries only what the parent lacks.
    public static func acknowledge(_ receipt: BundleReceipt, on store: Store) throws {
        guard receipt.for == store.node else {
            throw ZISyncError("the receipt is for \(receipt.for), not for this node (\(store.node))")
        }
        guard receipt.from == store.parent else {
            throw ZISyncError("the receipt is from \(receipt.from), which is not this node's parent")
        }
        if let reason = try store.receiptRefusal(
            signedBytes: receipt.signedBytes, certificate: receipt.certificate, signature: receipt.signature,
            from: receipt.from)
        {
            throw ZISyncError("the receipt is refused: \(reason); nothing was marked as delivered")
        }
        try store.ledger.acknowledge(receipt.tips, hashes: receipt.tipHashes)
        try store.ledger.checkOwnChain(tips: receipt.tips, hashes: receipt.tipHashes)
        for sha in receipt.files ?? [] where Validation.isSHA256Hex(sha) {
            try store.ledger.markUploaded(sha)
        }
    }
}
