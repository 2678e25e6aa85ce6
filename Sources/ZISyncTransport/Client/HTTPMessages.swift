import Foundation

/// A request to send, with what to do with its answer.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: Data?
    /// When set, the response body is handed over piece by piece as it arrives instead of
    /// collected (a stream of progress lines).
    public var onBody: (@Sendable (Data) -> Void)?
    /// The most bytes of an answer's body (after decompression) that are accepted: a longer one
    /// fails the request instead of filling memory.
    public var maxResponseBytes = HTTPRequest.defaultMaxResponseBytes
    public static let defaultMaxResponseBytes = 64 << 20

    public init(
        method: String, url: String, headers: [(String, String)] = [], body: Data? = nil,
        onBody: (@Sendable (Data) -> Void)? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.onBody = onBody
    }
}

public struct HTTPResponse: Sendable {
    public let status: Int
    /// Header names in lower case.
    public let headers: [String: String]
    public let body: Data
    public var contentType: String { headers["content-type"] ?? "" }
}

/// A failed attempt: curl's code and message when the transfer failed, the HTTP status when
/// the server answered with something other than what was expected.
public struct TransportError: Error, CustomStringConvertible, Sendable {
    public let url: String
    public let curlCode: Int?
    public let curlMessage: String?
    public let httpStatus: Int?
    public let detail: String

    public init(url: String, curlCode: Int?, curlMessage: String?, httpStatus: Int?, detail: String) {
        self.url = url
        self.curlCode = curlCode
        self.curlMessage = curlMessage
        self.httpStatus = httpStatus
        self.detail = detail
    }

    public var description: String {
        var parts: [String] = []
        if let curlCode { parts.append("curl error \(curlCode): \(curlMessage ?? "")") }
        if let httpStatus { parts.append("HTTP \(httpStatus)") }
        parts.append(detail)
        return parts.filter { !$0.isEmpty }.joined(separator: ", ") + " (\(url))"
    }

    public static func http(_ response: HTTPResponse, url: String, _ detail: String) -> TransportError {
        TransportError(url: url, curlCode: nil, curlMessage: nil, httpStatus: response.status, detail: detail)
    }
}
