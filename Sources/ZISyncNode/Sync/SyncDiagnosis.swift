import Foundation
import ZISyncCore
import ZISyncProtocol
import ZISyncTransport

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

/// A failed round as `SyncClient.round` throws it: the cause, explained once.
public struct SyncFailure: Error, CustomStringConvertible {
    public let problem: SyncProblem
    public let underlying: any Error
    public var description: String { problem.message }
}

extension SyncProblem {
    /// Explains a failed round in an operator's words: what failed, why, and what to do.
    public static func explain(_ error: any Error, parent: String, at now: Int64) -> SyncProblem {
        if let failure = error as? SyncFailure { return failure.problem }
        var step: String?
        var error = error
        if let stepError = error as? RoundStepError {
            step = stepError.step
            error = stepError.underlying
        }
        let (cause, what, advice) = describe(error, parent: parent)
        let message = step.map { "\($0): \(what)" } ?? what
        return SyncProblem(cause: cause, message: message, advice: advice, at: now)
    }

    /// A round that went through but in which the parent refused changes.
    public static func refused(_ refusals: [PushResponse.Refusal], at now: Int64) -> SyncProblem {
        let first = refusals[0]
        return SyncProblem(
            cause: "refused",
            message:
                "the parent refused \(refusals.count) change(s); first \(first.change) (record \(first.record)): \(first.reason)",
            advice:
                "run `zisync verify` here and `zisync history \(first.record)`; a refused change is kept for audit but never applied above this office. Ask the parent's operator if the write rule looks wrong",
            at: now)
    }

    /// Changes waiting at the parent because this clock runs ahead of it.
    public static func held(_ reason: String, at now: Int64) -> SyncProblem {
        SyncProblem(
            cause: "held", message: "the parent holds changes: \(reason)",
            advice:
                "set this server's clock right (NTP: `timedatectl set-ntp true`); the held changes apply by themselves",
            at: now)
    }

    static func describe(_ error: any Error, parent: String) -> (String, String, String) {
        if error is CancellationError {
            return ("stopped", "the round was stopped (daemon shutting down)", "nothing to do: the next round resumes")
        }
        guard let t = error as? TransportError else {
            return (
                "local", "\(error)",
                "see the daemon's log (`journalctl -u zisync`) and run `zisync verify`; nothing stored was lost"
            )
        }
        if let code = t.curlCode {
            let curl = "curl error \(code): \(t.detail.isEmpty ? t.curlMessage ?? "" : t.detail)"
            switch code {
            case 6:
                return (
                    "dns", "the parent's host name in \(parent) does not resolve (\(curl))",
                    "check `parent` in zisync.toml and this office's DNS and internet link; zisync keeps retrying"
                )
            case 7:
                return (
                    "unreachable", "could not connect to the parent at \(parent) (\(curl))",
                    "the parent's zisync daemon may be stopped or a firewall blocks the port; zisync keeps retrying. If it lasts, ask the parent's operator to check `systemctl status zisync`"
                )
            case 28:
                return (
                    "timeout", "the link to the parent stalled or timed out (\(curl))",
                    "a weak or broken link; the next round resumes where this one stopped. If it keeps happening, set sync.max_bytes_per_second or a smaller sync.batch_bytes"
                )
            case 35, 56, 55:
                return (
                    "tls", "the secure connection to the parent failed (\(curl))",
                    "the parent may have refused this office's certificate (expired, revoked or from another CA): check `openssl x509 -noout -enddate -in tls/node.crt` and ask for a new one (`zisync pki issue`)"
                )
            case 58, 77:
                return (
                    "certificate", "this office's certificate, key or CA file cannot be used (\(curl))",
                    "run `zisync config check`; the files named under [tls] must be this office's PEM certificate and key and the deployment CA"
                )
            case 60:
                return (
                    "certificate",
                    "the parent's certificate is not from the deployment CA or not for its host name (\(curl))",
                    "check that tls.ca is the deployment's ca.crt and that `parent` uses the host name the parent's certificate was issued for"
                )
            case 42:
                return (
                    "stopped", "the transfer was stopped (daemon shutting down)",
                    "nothing to do: the next round resumes"
                )
            default:
                return (
                    "link", "the connection to the parent broke (\(curl))",
                    "usually a weak link; the next round resumes where this one stopped"
                )
            }
        }
        let status = t.httpStatus ?? 0
        let http = "HTTP \(status)\(t.detail.isEmpty ? "" : ": \(t.detail)") from \(t.url)"
        if t.detail.contains("not from a zisync parent") {
            return (
                "not_zisync", "something other than a zisync parent answered (\(http))",
                "a captive portal or proxy is in the way: log in to the network's portal, or set https_proxy, or fix `parent` in zisync.toml"
            )
        }
        switch status {
        case 403:
            return (
                "forbidden", "the parent refused this office (\(http))",
                "the certificate must name a direct child of the parent: check `satker` and `parent` in zisync.toml and the satker the certificate was issued for"
            )
        case 413:
            return (
                "protocol", "the parent found a request too large (\(http))",
                "lower sync.batch_changes or sync.batch_bytes in zisync.toml and reload (`systemctl reload zisync`)"
            )
        case 500...599:
            return (
                "parent_error", "the parent failed while answering (\(http))",
                "retried automatically; if it lasts, the parent's operator should read `journalctl -u zisync` there"
            )
        default:
            return (
                "protocol", "the parent answered something unexpected (\(http))",
                "make sure both offices run the same zisync version; the parent's log says more"
            )
        }
    }
}
