import Foundation

/// KPU RI's reference data shipped with the program (Resources/seed): the satker registry
/// and the LKE catalogue of PermenPANRB 90/2021. Entered on `init` as `00`'s changes with
/// fixed clocks and ids, so every node holds byte-identical changes with equal hashes.
public struct ReferenceSeed: Sendable {
    public let satkers: [Satker]
    public let catalogue: [LKEItem]
    public let registry: SatkerRegistry
    public let lkeCodes: Set<String>
    public let changes: [Change]

    /// 2021-12-31T00:00:00Z, the day PermenPANRB 90/2021 was set: the seed's clock.
    public static let seedMilliseconds: Int64 = 1_640_908_800_000
    public static let seedActor = "zisync-seed"

    public static func resource(_ name: String) throws -> URL {
        guard let dir = Bundle.module.url(forResource: "seed", withExtension: nil) else {
            throw ZISyncError("the program's seed resources are missing (zisync_ZISyncCore.resources)")
        }
        return dir.appendingPathComponent(name)
    }

    public static func load() throws -> ReferenceSeed {
        let satkers = try loadSatkers()
        let catalogue = try LKECatalogue.load()
        var changes: [Change] = []
        var prev: String?
        var seq: Int64 = 0
        func add(_ type: RecordType, _ id: String, _ fields: [String: FieldValue]) {
            seq += 1
            let c = Change(
                origin: SatkerRegistry.root, seq: seq, hlc: HLC(milliseconds: seedMilliseconds, counter: seq),
                recordType: type.rawValue, recordID: id, owner: SatkerRegistry.root, fields: fields, base: [:],
                actor: seedActor, prev: prev)
            prev = c.hash
            changes.append(c)
        }
        for s in satkers {
            add(
                .satker, "satker:\(s.code)",
                [
                    "code": .string(s.code), "level": .string(s.level.rawValue),
                    "parent": s.parent.map(FieldValue.string) ?? .null, "name": .string(s.name), "active": .bool(true),
                ])
        }
        for (i, item) in catalogue.enumerated() {
            add(.lkeItem, "lke:\(item.code)", item.fields(order: Int64(i + 1)))
        }
        return ReferenceSeed(
            satkers: satkers, catalogue: catalogue, registry: SatkerRegistry(satkers),
            lkeCodes: Set(catalogue.map(\.code)), changes: changes)
    }

    static func loadSatkers() throws -> [Satker] {
        let rows = try CSVFile.read(try resource("satker.csv"))
        return try rows.map { row in
            guard let code = row["code"], let levelText = row["level"], let level = SatkerLevel(rawValue: levelText),
                let name = row["name"]
            else { throw ZISyncError("satker.csv line \(row.line): bad row") }
            let parent = row["parent"].flatMap { $0.isEmpty ? nil : $0 }
            return Satker(code: code, level: level, parent: parent, name: name)
        }
    }
}
