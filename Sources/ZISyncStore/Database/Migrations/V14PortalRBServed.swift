import Foundation
import GRDB

extension Migration {
    static let v14PortalRBServed = Migration(name: "v14-portalrb-served") { db, _ in
        try db.execute(
            sql: """
                -- What PortalRB last received of each unit's answers: the SHA-256 of the answers (links
                -- left out) and when, so the operator sees whose answers changed since (PortalRB resets
                -- its review when they do).
                CREATE TABLE portalrb_served(
                    satker TEXT NOT NULL, cycle INTEGER NOT NULL, sha256 TEXT NOT NULL, at INTEGER NOT NULL,
                    PRIMARY KEY (satker, cycle)) WITHOUT ROWID;
                """)
    }
}
