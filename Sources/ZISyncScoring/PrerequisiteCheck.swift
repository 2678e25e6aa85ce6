import ZISyncCore

/// The prerequisites that are not LKE scores (Lampiran II, Tabel 5; evaluation.md §1.1), judged
/// apart from the LKE's thresholds: a unit can meet every threshold and still not be proposable.
/// Each rule has its required and actual figure, as the thresholds do; a prerequisite nobody has
/// entered fails with actual 0 and says so.
public enum PrerequisiteCheck {
    public struct Result: Sendable, Equatable {
        public var wbk: [LKEReadiness.Rule]
        public var wbbm: [LKEReadiness.Rule]
        /// The items with no value entered, by name (their rules fail with actual 0).
        public var missing: [Prerequisite]
    }

    /// `unit`: the unit's items (tlhp, lhkpn, lhkasn, pencanangan, sakip) as stored; `agency`: KPU's
    /// (bpk, sakip-instansi, indeks-rb, spip). `reference`: the day ZI must have been built for a
    /// year by (the first day of the cycle's usulan window, or 30 June of the cycle's year).
    public static func evaluate(unit: [Prerequisite: String], agency: [Prerequisite: String], reference: String)
        -> Result
    {
        let all = unit.merging(agency) { a, _ in a }
        func percent(_ item: Prerequisite) -> LKEReadiness.Rule {
            LKEReadiness.Rule(rule: item.rawValue, required: 100, actual: all[item].flatMap(Double.init) ?? 0)
        }
        func grade(_ item: Prerequisite, atLeast: String) -> LKEReadiness.Rule {
            let rank = { (g: String?) in Double((g.flatMap { Prerequisite.grades.firstIndex(of: $0) } ?? -1) + 1) }
            return LKEReadiness.Rule(rule: item.rawValue, required: rank(atLeast), actual: rank(all[item]))
        }
        let years = all[.pencanangan].map { yearsBetween($0, reference) } ?? 0
        let common: [LKEReadiness.Rule] = [
            percent(.tlhp), percent(.lhkpn), percent(.lhkasn),
            LKEReadiness.Rule(rule: Prerequisite.pencanangan.rawValue, required: 1, actual: Double(years)),
            LKEReadiness.Rule(
                rule: Prerequisite.bpk.rawValue, required: 4,
                actual: Double((all[.bpk].flatMap { Prerequisite.opinions.firstIndex(of: $0) } ?? -1) + 1)),
            LKEReadiness.Rule(
                rule: Prerequisite.spip.rawValue, required: 3, actual: all[.spip].flatMap(Double.init) ?? 0),
        ]
        func level(_ g: String) -> [LKEReadiness.Rule] {
            common + [grade(.sakip, atLeast: g), grade(.sakipInstansi, atLeast: g), grade(.indeksRB, atLeast: g)]
        }
        return Result(
            wbk: level("B").filter { $0.actual < $0.required }, wbbm: level("BB").filter { $0.actual < $0.required },
            missing: Prerequisite.allCases.filter { all[$0] == nil })
    }

    /// A grade's rank as `evaluate` states it (1 = D … 7 = AA), back to its letters.
    public static func grade(rank: Double) -> String {
        let i = Int(rank) - 1
        return Prerequisite.grades.indices.contains(i) ? Prerequisite.grades[i] : "-"
    }

    /// Full years from day `a` to day `b` (both `YYYY-MM-DD`): 2025-06-30 to 2026-06-30 is one,
    /// 2025-07-01 to 2026-06-30 none; negative when `a` is later.
    static func yearsBetween(_ a: String, _ b: String) -> Int {
        let x = a.split(separator: "-").compactMap { Int($0) }
        let y = b.split(separator: "-").compactMap { Int($0) }
        guard x.count == 3, y.count == 3 else { return 0 }
        return y[0] - x[0] - ((y[1], y[2]) < (x[1], x[2]) ? 1 : 0)
    }
}
