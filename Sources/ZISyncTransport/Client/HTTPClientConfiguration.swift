/// What every request to the parent shares: the deployment CA (the only trusted root), the
/// node's client certificate, timeouts for weak links and an optional bandwidth cap.
public struct HTTPClientConfiguration: Sendable {
    public var caFile: String
    /// The node's certificate and key; empty sends no client certificate (a parent refuses that).
    public var certificateFile: String
    public var keyFile: String
    public var connectTimeoutSeconds = 15
    /// A transfer slower than `lowSpeedBytesPerSecond` for `lowSpeedSeconds` is abandoned (a stalled link).
    public var lowSpeedBytesPerSecond = 64
    public var lowSpeedSeconds = 30
    /// Upper bound on one whole request, 0 for none.
    public var totalTimeoutSeconds = 0
    /// Bandwidth cap per direction in bytes per second, 0 for none.
    public var maxBytesPerSecond: Int64 = 0
    /// At most this many bytes wait unsent in a connection's socket (0: the system's default):
    /// an upload's progress then follows the wire, not the kernel's buffer (`SendSlots`).
    public var unsentBytesLimit = 0
    /// Talk plain HTTP over this Unix socket instead (the daemon's control socket).
    public var unixSocketPath: String?
    /// The satker the server's certificate must name (the configured parent), nil for none.
    public var serverSatker: String?

    public init(caFile: String, certificateFile: String, keyFile: String) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }

    /// A client of the local control socket at `path` (no TLS: the socket's file mode guards it).
    public static func controlSocket(_ path: String) -> HTTPClientConfiguration {
        var c = HTTPClientConfiguration(caFile: "", certificateFile: "", keyFile: "")
        c.unixSocketPath = path
        c.connectTimeoutSeconds = 2
        // A round may run long with nothing to report (a big push): the stream is not a stalled link.
        c.lowSpeedBytesPerSecond = 0
        c.lowSpeedSeconds = 0
        return c
    }
}
