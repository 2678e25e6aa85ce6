import Foundation

/// A queue of received bytes with the time each may be sent.
final class DelayLine: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [(Data, Date)] = []
    private var closed = false
    private var finished = false

    func push(_ data: Data, due: Date) {
        condition.lock()
        items.append((data, due))
        condition.signal()
        condition.unlock()
    }

    func pop() -> (Data, Date)? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        return items.isEmpty ? nil : items.removeFirst()
    }

    var isEmpty: Bool {
        condition.lock()
        defer { condition.unlock() }
        return items.isEmpty
    }

    var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    func finish() {
        condition.lock()
        finished = true
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    var isFinished: Bool {
        condition.lock()
        defer { condition.unlock() }
        return finished
    }
}
