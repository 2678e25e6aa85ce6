import ArgumentParser
import Foundation
import ZISyncWeb

/// A new password: asked twice on a terminal, else the first line of standard input.
func readPassword() throws -> String {
    let password: String
    if isatty(STDIN_FILENO) != 0 {
        guard let first = getpass("Password: ").map({ String(cString: $0) }),
            let again = getpass("Again: ").map({ String(cString: $0) })
        else { throw ValidationError("no password given") }
        guard first == again else { throw ValidationError("the two passwords differ") }
        password = first
    } else {
        guard let line = readLine(strippingNewline: true) else {
            throw ValidationError("no password on standard input (one line)")
        }
        password = line
    }
    if let problem = Passwords.problem(password) { throw ValidationError(problem) }
    return password
}
