import Foundation
import Testing
import ZISyncCore
import ZISyncTestSupport

@testable import ZISyncStore

/// PortalRB's tokens and fetch log on a real SQLite store (issue 23): a token verifies until it is
/// revoked, a forged or overlong one never does, and the log keeps only its newest requests, so a
/// flood of requests without a token cannot fill KPU RI's disk.
@Suite struct PortalRBTokenTests {
    @Test func tokensVerifyUntilRevokedAndTheLogKeepsItsNewest() throws {
        let store = try TestNodes.make("00")
        defer { TestNodes.remove(store) }
        let tokens = PortalRBTokens(store)
        let token = try tokens.add(name: "portalrb-2026")
        #expect(try tokens.verify(token) == "portalrb-2026")
        #expect(
            try tokens.verify(token + "x") == nil && tokens.verify("zrb_" + String(repeating: "a", count: 200)) == nil)
        #expect(throws: ZISyncError.self) { try tokens.add(name: "portalrb-2026") }
        #expect(throws: ZISyncError.self) { try tokens.add(name: "bad name/") }
        try tokens.revoke(name: "portalrb-2026")
        #expect(try tokens.verify(token) == nil)
        #expect(throws: ZISyncError.self) { try tokens.revoke(name: "portalrb-2026") }

        for i in 0..<7 { try tokens.record(token: "-", route: "/x", unit: nil, status: 401, bytes: i, keep: 3) }
        let log = try tokens.log(limit: 100)
        #expect(log.map { $0.bytes } == [6, 5, 4], "\(log)")
    }
}
