import ArgumentParser
import Foundation
import ZISyncCore
import ZISyncScoring
import ZISyncStore

struct LKEScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "The LKE's score by PermenPANRB 90/2021 and its readiness for Menuju WBK and WBBM.",
        discussion: """
            Unanswered questions count 0. Readiness compares the figures, rounded to two decimals as \
            the LKE shows them, with the thresholds, and names every rule not met with the required \
            and the actual figure. Exit code 0 whatever the score.
            """)

    @OptionGroup var node: NodeOptions
    @OptionGroup var target: LKETarget
    @Flag(help: "Print JSON (full precision).") var json = false

    struct Output: Encodable {
        let satker: String
        let cycle: Int
        let layer: String
        let total, pengungkit, pemenuhan, reform, hasil, hasilBirokrasi, ipak, kinerja, ipkp: Double
        let areas: [LKEScore.AreaScore]
        let indicators: [LKEScore.IndicatorScore]
        /// Each question and hasil item: its value, whether answered, its gain, its bukti dukung.
        let items: [Item]
        let unanswered: Int
        let warnings: [String]
        let readiness: LKEReadiness
        /// The prerequisites that are not scores, apart from the thresholds (`lke prerequisite`).
        let prerequisites: Prerequisites
    }

    struct Prerequisites: Encodable {
        let wbk: [String]
        let wbbm: [String]
        let missing: [String]
    }

    struct Item: Encodable {
        let code: String
        let value: Double
        let answered: Bool
        let gain: Double
        let evidence: Int
    }

    func run() throws {
        let store = try node.openStore()
        let t = try target.resolve(store, layerRequired: false)
        let scored = try ScoredLKE(store: store, t)
        let s = scored.score
        let pre = try Evaluation(store).checkPrerequisites(satker: t.satker, cycle: t.cycle)
        if json {
            // The bukti dukung each item counts: linked to its code, or named by the answer.
            var evidence: [String: Set<String>] = [:]
            for e in try store.records.list(.evidence, owners: [t.satker]) where !e.isDeleted {
                for code in Validation.lkeCodes(e.string("lke") ?? "") { evidence[code, default: []].insert(e.id) }
            }
            for (code, a) in scored.answers[t.layer] ?? [:] { evidence[code, default: []].formUnion(a.evidence) }
            let items = s.items.map {
                Item(
                    code: $0.code, value: $0.value, answered: $0.answered, gain: $0.gain,
                    evidence: evidence[$0.code]?.count ?? 0)
            }
            try printEncoded(
                Output(
                    satker: t.satker, cycle: t.cycle, layer: t.layer.rawValue, total: s.total, pengungkit: s.pengungkit,
                    pemenuhan: s.pemenuhan, reform: s.reform, hasil: s.hasil, hasilBirokrasi: s.hasilBirokrasi,
                    ipak: s.ipak, kinerja: s.kinerja, ipkp: s.ipkp, areas: s.areas, indicators: s.indicators,
                    items: items, unanswered: s.unanswered, warnings: s.warnings, readiness: scored.readiness,
                    prerequisites: Prerequisites(
                        wbk: pre.wbk.map(Evaluation.words), wbbm: pre.wbbm.map(Evaluation.words),
                        missing: pre.missing.map(\.rawValue))))
            return
        }
        print("LKE \(t.satker) \(store.registry[t.satker]?.name ?? "") \(t.cycle), layer \(t.layer.rawValue)")
        print(
            "total \(two(s.total)): pengungkit \(two(s.pengungkit)) (pemenuhan \(two(s.pemenuhan)), reform \(two(s.reform))), hasil \(two(s.hasil))"
        )
        print(
            "hasil: birokrasi bersih \(two(s.hasilBirokrasi)) (IPAK \(two(s.ipak)), kinerja \(two(s.kinerja))), IPKP \(two(s.ipkp))"
        )
        printTable(
            ["AREA", "PEMENUHAN", "REFORM", "SCORE", "WEIGHT", "%"],
            s.areas.map {
                [$0.area, two($0.pemenuhan), two($0.reform), two($0.score), two($0.weight), two($0.percent)]
            })
        print("unanswered: \(s.unanswered)")
        for w in s.warnings { print("warning: \(w)") }
        for (name, verdict, prerequisites) in [
            ("Menuju WBK", scored.readiness.wbk, pre.wbk), ("Menuju WBBM", scored.readiness.wbbm, pre.wbbm),
        ] {
            print("\(name): LKE thresholds \(verdict.meets ? "met" : "not met")")
            for rule in verdict.failed {
                print("  \(describe(rule))")
            }
            print("\(name): prerequisites \(prerequisites.isEmpty ? "met" : "not met")")
            for rule in prerequisites { print("  \(Evaluation.words(rule))") }
        }
    }
}
