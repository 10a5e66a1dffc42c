/// A first-in-first-out queue on an array with a moving head: O(1) amortized at both ends,
/// arbitrary removal in O(n). Small on purpose; `Orders` must not depend on swift-collections.
struct FIFOQueue<Element>: Sendable where Element: Sendable {
    private var storage: [Element] = []
    private var head = 0

    /// Elements waiting.
    var count: Int { storage.count - head }
    /// Whether nothing is waiting.
    var isEmpty: Bool { head == storage.count }
    /// The oldest element.
    var first: Element? { isEmpty ? nil : storage[head] }
    /// Every element, oldest first.
    var elements: ArraySlice<Element> { storage[head...] }

    /// Adds at the back.
    mutating func append(_ element: Element) { storage.append(element) }

    /// Puts an element back at the front (a request the venue refused for rate limits goes
    /// out again first).
    mutating func prepend(_ element: Element) {
        if head > 0 {
            head -= 1
            storage[head] = element
        } else {
            storage.insert(element, at: 0)
        }
    }

    /// Removes and returns the oldest element.
    mutating func popFirst() -> Element? {
        guard !isEmpty else { return nil }
        let element = storage[head]
        head += 1
        // Compact once the dead prefix dominates, so memory follows the live count.
        if head >= 32, head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return element
    }

    /// Removes every element matching `predicate`, keeping the order of the rest.
    mutating func removeAll(where predicate: (Element) -> Bool) {
        storage.removeFirst(head)
        head = 0
        storage.removeAll(where: predicate)
    }
}
