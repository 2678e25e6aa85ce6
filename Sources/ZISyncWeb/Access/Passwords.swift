import HummingbirdBcrypt
import NIOPosix

/// Passwords as bcrypt hashes (HummingbirdBcrypt), computed off the server's event loops.
public enum Passwords {
    /// Cost 11: about a tenth of a second on an office server, slow enough for a stolen file.
    static let cost: UInt8 = 11

    /// The rules for a new password, in words; nil when it is acceptable.
    public static func problem(_ password: String) -> String? {
        if password.utf8.count < 8 { return "a password needs at least 8 characters" }
        if password.utf8.count > 72 { return "bcrypt reads at most 72 bytes of a password; use a shorter one" }
        return nil
    }

    public static func hash(_ password: String) -> String { Bcrypt.hash(password, cost: cost) }

    static func verify(_ password: String, hash: String) async -> Bool {
        (try? await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }) ?? false
    }

    /// A hash to check against when the user does not exist, so the answer takes as long.
    static let decoy = Bcrypt.hash("zisync-decoy-password", cost: cost)
}
