import ZISyncEngine
import ZISyncProtocol

/// Failed transfers explained: curl's error codes mapped to causes, messages that name the
/// parent and the curl error, and what to do.
public enum HTTPSFailures {
    public static func failure(_ t: TransportError, parent: String, parentSatker: String = "the parent") -> LinkFailure
    {
        guard let code = t.curlCode else {
            return LinkFailure.answer(status: t.httpStatus ?? 0, detail: t.detail, request: t.url)
        }
        let curl = "curl error \(code): \(t.detail.isEmpty ? t.curlMessage ?? "" : t.detail)"
        func broken(_ cause: SyncProblem.Cause, _ message: String, _ advice: String) -> LinkFailure {
            LinkFailure(cause: cause, message: message, advice: advice, isTransient: code != 42)
        }
        switch code {
        case 6:
            return broken(
                .dns, "the parent's host name in \(parent) does not resolve (\(curl))",
                "check `parent` in zisync.toml and this office's DNS and internet link; zisync keeps retrying")
        case 7:
            return broken(
                .unreachable, "could not connect to the parent at \(parent) (\(curl))",
                "the parent's zisync daemon may be stopped or a firewall blocks the port; zisync keeps retrying. If it lasts, ask the parent's operator to check `systemctl status zisync`"
            )
        case 28:
            return broken(
                .timeout, "the link to the parent stalled or timed out (\(curl))",
                "a weak or broken link; the next round resumes where this one stopped. If it keeps happening, set sync.max_bytes_per_second or a smaller sync.batch_bytes"
            )
        case 35, 56, 55:
            return broken(
                .tls, "the secure connection to the parent failed (\(curl))",
                "the parent may have refused this office's certificate (expired, revoked or from another CA): check `openssl x509 -noout -enddate -in tls/node.crt` and ask for a new one (`zisync pki issue`)"
            )
        case 58, 77:
            return broken(
                .certificate, "this office's certificate, key or CA file cannot be used (\(curl))",
                "run `zisync config check`; the files named under [tls] must be this office's PEM certificate and key and the deployment CA"
            )
        case 60:
            return broken(
                .certificate,
                "the server at \(parent) did not show a certificate of the deployment CA for \(parentSatker) and that host name (\(curl))",
                "check that tls.ca is the deployment's ca.crt, that `parent` is the address of \(parentSatker)'s server, and that its host name is the one its certificate was issued for; another office's certificate, or a proxy inspecting TLS, is refused"
            )
        case 42:
            return broken(
                .stopped, "the transfer was stopped (daemon shutting down)", "nothing to do: the next round resumes")
        default:
            return broken(
                .link, "the connection to the parent broke (\(curl))",
                "usually a weak link; the next round resumes where this one stopped")
        }
    }
}
