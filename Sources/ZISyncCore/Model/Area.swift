import Foundation

/// The six areas of change (area perubahan) of PermenPANRB 90/2021.
public enum Area: String, Sendable, CaseIterable {
    case manajemenPerubahan = "manajemen-perubahan"
    case tatalaksana
    case sdm
    case akuntabilitas
    case pengawasan
    case pelayananPublik = "pelayanan-publik"

    /// The area's number as printed in the regulation (1–6).
    public var number: Int { Area.allCases.firstIndex(of: self)! + 1 }

    /// Accepts the slug or the number 1–6.
    public init?(parsing argument: String) {
        let trimmed = argument.trimmingCharacters(in: .whitespaces).lowercased()
        if let n = Int(trimmed), (1...6).contains(n) {
            self = Area.allCases[n - 1]
        } else if let a = Area(rawValue: trimmed) {
            self = a
        } else {
            return nil
        }
    }

    public static var choices: String {
        allCases.map { "\($0.rawValue) (\($0.number))" }.joined(separator: ", ")
    }
}
