import Foundation
import GRDB

/// One version of the node database's schema. Never edit a shipped migration; add one, in a file
/// of its own, and append it to `all`.
struct Migration: Sendable {
    let name: String
    /// `filesRoot`: the file store, for a migration that indexes the files it holds.
    let apply: @Sendable (Database, URL) throws -> Void

    /// Every version, oldest first: the order they run in.
    static let all: [Migration] = [
        .v01Initial,
        .v02ParentAck,
        .v03Children,
        .v04ChildReports,
        .v05SyncState,
        .v06Queries,
        .v07HostilePeers,
        .v08ParentIdentity,
        .v09Authenticity,
        .v10WebAccounts,
        .v11WaitingChanges,
        .v12OwnerDigests,
        .v13PortalRB,
        .v14PortalRBServed,
        .v15EvidenceItems,
    ]
}
