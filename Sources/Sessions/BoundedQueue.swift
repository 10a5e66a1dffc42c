/// A FIFO with a fixed capacity, backed by one array and a head index (amortised O(1) push and
/// pop, no per-element allocation once warm). Sessions keeps every queue bounded (STYLE habit 8):
/// a caller that pushes into a full queue gets `false` and must decide what to drop.
struct BoundedQueue<Element: Sendable>: Sendable {
    private var storage: [Element] = []
    private var head = 0
    /// The most elements the queue holds.
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    var count: Int { storage.count - head }
    var isEmpty: Bool { head == storage.count }
    var isFull: Bool { count >= capacity }
    var first: Element? { isEmpty ? nil : storage[head] }
    var last: Element? { isEmpty ? nil : storage[storage.count - 1] }

    /// The element `offset` places behind the head (0 = first).
    subscript(offset: Int) -> Element { storage[head + offset] }

    /// Appends `element` unless the queue is full; returns whether it was appended.
    @discardableResult
    mutating func append(_ element: Element) -> Bool {
        guard !isFull else { return false }
        storage.append(element)
        return true
    }

    /// Removes and returns the head.
    mutating func popFirst() -> Element? {
        guard !isEmpty else { return nil }
        let element = storage[head]
        head += 1
        // Compact once the dead prefix dominates, so memory stays proportional to `count`.
        if head >= 32 && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return element
    }

    /// Removes every element for which `shouldRemove` is true, keeping order.
    mutating func removeAll(where shouldRemove: (Element) -> Bool) {
        storage = storage[head...].filter { !shouldRemove($0) }
        head = 0
    }

    /// The live elements, head first.
    var elements: ArraySlice<Element> { storage[head...] }
}
