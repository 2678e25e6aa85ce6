import Testing

@testable import ZISyncCore

@Suite struct MergeTests {
    func w(_ value: String, _ ms: Int64, _ origin: String, _ seq: Int64, base: [Version] = []) -> FieldWrite {
        FieldWrite(
            value: .string(value), hlc: HLC(milliseconds: ms, counter: 0), version: Version(origin: origin, seq: seq),
            base: base)
    }

    func fold(_ writes: [FieldWrite]) -> FieldState? {
        var received = Set<Version>()
        var state: FieldState?
        for write in writes {
            state = Merge.apply(write, to: state) { received.contains($0) }
            received.insert(write.version)
        }
        return state
    }

    @Test func laterHLCWinsAndOriginBreaksTies() {
        let a = w("a", 100, "11.01", 1)
        let b = w("b", 200, "11", 1)
        #expect(fold([a, b])?.value == .string("b"))
        #expect(fold([b, a])?.value == .string("b"))
        let c = w("c", 100, "11.02", 1)
        #expect(fold([a, c])?.value == .string("c"), "same HLC: the greater origin code wins")
        #expect(fold([c, a])?.value == .string("c"))
    }

    @Test func sequentialWriteIsNoConflict() {
        let a = w("a", 100, "11.01", 1)
        let b = w("b", 200, "11", 1, base: [a.version])
        for order in [[a, b], [b, a]] {
            let s = fold(order)!
            #expect(s.value == .string("b"))
            #expect(!s.isConflicted)
            #expect(s.heads == [b.version])
            #expect(s.missing.isEmpty)
        }
    }

    @Test func concurrentWritesConflictInAnyOrder() {
        let a = w("a", 100, "11.01", 1)
        let b = w("b", 200, "11.01", 2, base: [a.version])
        let c = w("c", 150, "11", 1, base: [a.version])
        var states: [FieldState] = []
        for order in [[a, b, c], [a, c, b], [b, c, a], [c, b, a], [c, a, b], [b, a, c]] {
            states.append(fold(order)!)
        }
        #expect(Set(states.map(\.heads)).count == 1)
        #expect(states[0].value == .string("b"))
        #expect(states[0].heads.sorted() == [b.version, c.version].sorted())
        #expect(states.allSatisfy { $0 == states[0] })
    }

    @Test func writingAgainWithBothHeadsResolves() {
        let a = w("a", 100, "11.01", 1)
        let b = w("b", 200, "11.01", 2, base: [a.version])
        let c = w("c", 150, "11", 1, base: [a.version])
        let d = w("d", 300, "11", 2, base: [b.version, c.version])
        let s = fold([a, b, c, d])!
        #expect(!s.isConflicted && s.value == .string("d"))
        #expect(fold([d, c, b, a]) == s)
        // Writing again without having seen the other head leaves the conflict open.
        let e = w("e", 300, "11", 2, base: [c.version])
        #expect(fold([a, b, c, e])!.isConflicted)
    }

    @Test func hlcTickAndObserve() {
        var clock = HybridClock(last: .zero, physicalNow: { 1000 })
        let t1 = clock.tick()
        let t2 = clock.tick()
        #expect(t1 == HLC(milliseconds: 1000, counter: 0) && t2 == HLC(milliseconds: 1000, counter: 1))
        clock.observe(HLC(milliseconds: 5000, counter: 7))
        #expect(clock.tick() == HLC(milliseconds: 5000, counter: 8), "a write after a received change sorts after it")
        clock = HybridClock(last: clock.last, physicalNow: { 6000 })
        #expect(clock.tick() == HLC(milliseconds: 6000, counter: 0))
        #expect(HLC(milliseconds: 6000, counter: 0).description == "1970-01-01T00:00:06.000Z")
    }

    @Test func canonicalEncodingIsStable() {
        let c = Change(
            origin: "32.17", seq: 1, hlc: HLC(rawValue: 42), recordType: "action_plan",
            recordID: "3d948090-3741-4ab0-94da-c22331324b6c", owner: "32.17",
            fields: [
                "status": .string("draft"), "activity": .string("Rapat \"Tim\"\n"), "progress": .int(5),
                "x": .bool(true), "y": .null,
            ],
            base: ["status": [Version(origin: "32.17", seq: 9), Version(origin: "32", seq: 10)]], actor: "ani",
            prev: nil)
        let text = String(decoding: c.canonicalBytes(), as: UTF8.self)
        #expect(
            text
                == #"{"actor":"ani","base":{"status":["32.17:9","32:10"]},"fields":{"activity":"Rapat \"Tim\"\n","progress":5,"status":"draft","x":true,"y":null},"hlc":42,"origin":"32.17","owner":"32.17","prev":null,"record":"3d948090-3741-4ab0-94da-c22331324b6c","seq":1,"type":"action_plan"}"#
        )
        #expect(c.hash == Hashing.sha256Hex(Array(text.utf8)))
        #expect(Version("32.17:9") == Version(origin: "32.17", seq: 9))
        #expect(Version("bad") == nil && Version("32:0") == nil)
    }
}
