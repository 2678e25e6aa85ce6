/// Errors a user can act on: they name the bad input.
public struct ZISyncError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
