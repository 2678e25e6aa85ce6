import Testing

@testable import ZISyncEngine

/// The right to send body bytes (`SendSlots`): at most its count at once, a slot given back once
/// however often `give` is called (the progress callback and the request's end both give it), and
/// a taker that is cancelled while it waits leaves without a slot.
@Suite struct SendSlotsTests {
    @Test func aSlotIsGivenBackOnceAndWaitersGoInTurn() async throws {
        let slots = SendSlots(1)
        let first = try await slots.take()
        #expect(slots.state == (0, 0))
        let second = Task { try await slots.take() }
        while slots.state.waiting == 0 { await Task.yield() }
        first.give()
        first.give()
        let held = try await second.value
        #expect(slots.state == (0, 0), "the second give of the same slot counted for nothing")

        let third = Task { try await slots.take() }
        while slots.state.waiting == 0 { await Task.yield() }
        third.cancel()
        await #expect(throws: CancellationError.self) { try await third.value }
        #expect(slots.state == (0, 0), "a cancelled taker took nothing")
        held.give()
        #expect(slots.state == (1, 0))
        let fourth = try await slots.take()
        fourth.give()
        #expect(slots.state == (1, 0))
    }
}
