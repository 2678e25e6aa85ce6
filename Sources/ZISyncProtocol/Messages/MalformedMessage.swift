import Foundation
import ZISyncCore

/// A malformed protocol body: what is wrong with it, for the answer or the log.
public struct MalformedMessage: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
