import Foundation
import ZISyncCore

/// The body of every answer that is an error: `{"error":"…"}`.
public struct ErrorAnswer: Codable, Sendable {
    public let error: String

    public init(error: String) { self.error = error }
}
