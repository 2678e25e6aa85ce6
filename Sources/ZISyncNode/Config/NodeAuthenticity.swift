import Foundation
import ZISyncAuthenticity
import ZISyncCore
import ZISyncStore

extension NodeConfig {
    /// Opens the node's store with its signing key (the certificate's) and the deployment's
    /// trust, from the `[tls]` files when they are there: a node without them (no PKI yet) neither
    /// signs nor checks signatures, and its changes are refused by every parent that does.
    public func openStore(home: Home) throws -> Store {
        let store = try Store.open(home: home, clockSkewLimitSeconds: clockSkewLimitSeconds)
        try useAuthenticity(on: store, home: home)
        return store
    }

    /// Takes the `[tls]` files' key and CA into use on `store` (at start, and at a reload after a rotation).
    public func useAuthenticity(on store: Store, home: Home) throws {
        let fm = FileManager.default
        let (cert, key, ca) = (path(certificateFile, home: home), path(keyFile, home: home), path(caFile, home: home))
        let signer =
            fm.fileExists(atPath: cert) && fm.fileExists(atPath: key)
            ? try OriginKey(certificateFile: cert, keyFile: key) : nil
        let trust = fm.fileExists(atPath: ca) ? try DeploymentTrust(caFile: ca) : nil
        try store.useAuthenticity(signer: signer, trust: trust)
    }
}
