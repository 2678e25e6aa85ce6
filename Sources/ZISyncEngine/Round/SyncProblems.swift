import Foundation
import ZISyncCore
import ZISyncProtocol

/// A failure inside a round, with the step it happened in ("uploading bukti dukung
/// 'daftar-hadir.pdf'"), so the operator learns which record or file is concerned.
public struct RoundStepError: Error, CustomStringConvertible {
    public let step: String
    public let underlying: any Error
    public var description: String { "\(step): \(underlying)" }

    public init(step: String, underlying: any Error) {
        self.step = step
        self.underlying = underlying
    }
}

/// A failed round as `SyncRound.run` throws it: the cause, explained once.
public struct SyncFailure: Error, CustomStringConvertible {
    public let problem: SyncProblem
    public let underlying: any Error
    public var description: String { problem.message }
}

extension SyncProblem {
    /// Explains a failed round in an operator's words: what failed, why, and what to do. Link
    /// failures come explained by their link; the rest is a local failure or a shutdown.
    public static func explain(_ error: any Error, at now: Int64) -> SyncProblem {
        if let failure = error as? SyncFailure { return failure.problem }
        var step: String?
        var error = error
        if let stepError = error as? RoundStepError {
            step = stepError.step
            error = stepError.underlying
        }
        let (cause, what, advice): (Cause, String, String)
        if let link = error as? LinkFailure {
            (cause, what, advice) = (link.cause, link.message, link.advice)
        } else if error is CancellationError {
            (cause, what, advice) = (
                .stopped, "the round was stopped (daemon shutting down)", "nothing to do: the next round resumes"
            )
        } else {
            (cause, what, advice) = (
                .local, "\(error)",
                "see the daemon's log (`journalctl -u zisync`) and run `zisync verify`; nothing stored was lost"
            )
        }
        return SyncProblem(cause: cause, message: step.map { "\($0): \(what)" } ?? what, advice: advice, at: now)
    }

    /// A round that went through but in which the parent refused changes.
    public static func refused(_ refusals: [Refusal], at now: Int64) -> SyncProblem {
        let record = refusals.first?.record ?? ""
        return SyncProblem(
            cause: .refused, message: "the parent refused \(Refusal.summary(refusals) ?? "no change")",
            advice:
                "run `zisync verify` here and `zisync history \(record)`; a refused change is kept for audit but never applied above this office. Ask the parent's operator if the write rule looks wrong",
            at: now)
    }

    /// This clock runs too far ahead of the parent's for zisync to correct.
    public static func clock(skew: Int64, at now: Int64) -> SyncProblem {
        let seconds = abs(skew) / 1000
        return SyncProblem(
            cause: .clock,
            message:
                "this server's clock is \(OperatorText.duration(seconds)) ahead of the parent's, more than zisync corrects by itself (\(OperatorText.duration(ClockPolicy.maxOffsetMilliseconds / 1000)))",
            advice:
                "set this server's date and time right (`timedatectl set-ntp true`, or `date -s`); changes stamped ahead are re-stamped by themselves once it is",
            at: now)
    }

    /// Changes waiting at the parent because this clock runs ahead of it.
    public static func held(_ reason: String, at now: Int64) -> SyncProblem {
        SyncProblem(
            cause: .held, message: "the parent holds changes: \(reason)",
            advice:
                "set this server's clock right (NTP: `timedatectl set-ntp true`); the held changes apply by themselves",
            at: now)
    }

    /// A child's changes that this node refused, as its parent's `status` shows them.
    public static func refusedHere(_ summary: String, at: Int64) -> SyncProblem {
        SyncProblem(
            cause: .refused, message: "this node refused its changes: \(summary)",
            advice:
                "the office should run `zisync verify` and `zisync status`; the refused changes are kept here for audit (`zisync history RECORD`)",
            at: at)
    }
}
