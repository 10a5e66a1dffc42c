/// Per-owner FIFO queues served round robin: each turn takes the head of the next owner that
/// has anything queued, so one subscriber's burst of 1,000 new orders delays another
/// subscriber's single order by at most one slot per other active subscriber, not by 1,000.
struct FairQueue<Owner: Hashable & Sendable, Element: Sendable>: Sendable {
    private var queues: [Owner: FIFOQueue<Element>] = [:]
    /// Owners with a non-empty queue, in turn order (the head owner is served next).
    private var ring = FIFOQueue<Owner>()

    /// Elements waiting across all owners.
    private(set) var count = 0

    /// Whether nothing is waiting.
    var isEmpty: Bool { count == 0 }

    /// The element the next ``popFirst()`` returns, and its owner.
    var first: (owner: Owner, element: Element)? {
        guard let owner = ring.first, let element = queues[owner]?.first else { return nil }
        return (owner, element)
    }

    /// How many elements `owner` has waiting.
    func count(of owner: Owner) -> Int { queues[owner]?.count ?? 0 }

    /// Every element, grouped by owner (order between owners unspecified).
    var allElements: [Element] { queues.values.flatMap { Array($0.elements) } }

    /// Queues `element` at the back of `owner`'s queue; a newly active owner joins the ring at the back.
    mutating func append(_ element: Element, owner: Owner) {
        if queues[owner, default: FIFOQueue()].isEmpty { ring.append(owner) }
        queues[owner, default: FIFOQueue()].append(element)
        count += 1
    }

    /// Puts `element` back at the front of `owner`'s queue, and `owner` at the front of the
    /// ring: it is the turn the element lost.
    mutating func prepend(_ element: Element, owner: Owner) {
        if queues[owner, default: FIFOQueue()].isEmpty {
            ring.prepend(owner)
        } else {
            // Already in the ring: move it to the front.
            ring.removeAll { $0 == owner }
            ring.prepend(owner)
        }
        queues[owner, default: FIFOQueue()].prepend(element)
        count += 1
    }

    /// Removes the head element of the owner whose turn it is; that owner moves to the back of
    /// the ring if it still has elements.
    mutating func popFirst() -> Element? {
        guard let owner = ring.popFirst(), var queue = queues[owner], let element = queue.popFirst() else { return nil }
        count -= 1
        if queue.isEmpty {
            queues[owner] = nil
        } else {
            queues[owner] = queue
            ring.append(owner)
        }
        return element
    }

    /// Removes the elements of `owner` matching `predicate`.
    mutating func removeAll(of owner: Owner, where predicate: (Element) -> Bool) {
        guard var queue = queues[owner] else { return }
        let before = queue.count
        queue.removeAll(where: predicate)
        count -= before - queue.count
        if queue.isEmpty {
            queues[owner] = nil
            ring.removeAll { $0 == owner }
        } else {
            queues[owner] = queue
        }
    }

    /// Removes matching elements of every owner.
    mutating func removeAll(where predicate: (Element) -> Bool) {
        for owner in Array(queues.keys) { removeAll(of: owner, where: predicate) }
    }
}
