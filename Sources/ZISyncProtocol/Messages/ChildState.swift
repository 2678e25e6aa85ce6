import Foundation
import ZISyncCore

/// How a parent judges a child, worst first.
public enum ChildState: String, Codable, Sendable, CaseIterable, Comparable {
    /// A problem to act on: refusals, an error the child reported.
    case failing
    /// Not heard from in time, or its oldest pending change is too old.
    case late
    case ok
    /// Not enrolled yet, or never connected.
    case neverSeen = "never_seen"

    public static func < (a: ChildState, b: ChildState) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
