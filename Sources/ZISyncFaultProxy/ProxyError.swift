/// Why the proxy could not start (it could not listen on 127.0.0.1).
public struct ProxyError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}
