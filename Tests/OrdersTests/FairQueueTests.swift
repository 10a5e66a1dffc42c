import Testing
@testable import Orders

@Suite("FairQueue and FIFOQueue")
struct FairQueueTests {
    @Test("round robin across owners, FIFO within one")
    func roundRobin() {
        var queue = FairQueue<String, String>()
        for index in 1...3 { queue.append("a\(index)", owner: "a") }
        queue.append("b1", owner: "b")
        queue.append("c1", owner: "c")
        queue.append("b2", owner: "b")
        var out: [String] = []
        while let element = queue.popFirst() { out.append(element) }
        #expect(out == ["a1", "b1", "c1", "a2", "b2", "a3"])
        #expect(queue.isEmpty)
    }

    @Test("prepend gives the owner its lost turn back; removal keeps the rest in order")
    func prependAndRemove() {
        var queue = FairQueue<String, String>()
        queue.append("a1", owner: "a")
        queue.append("b1", owner: "b")
        queue.append("a2", owner: "a")
        #expect(queue.popFirst() == "a1")
        queue.prepend("a1", owner: "a")
        #expect(queue.first?.element == "a1")
        queue.removeAll(of: "a") { $0 == "a2" }
        #expect(queue.count(of: "a") == 1)
        var out: [String] = []
        while let element = queue.popFirst() { out.append(element) }
        #expect(out == ["a1", "b1"])
    }

    @Test("FIFOQueue keeps order through compaction")
    func fifo() {
        var queue = FIFOQueue<Int>()
        for value in 0..<100 { queue.append(value) }
        var out: [Int] = []
        for _ in 0..<70 { if let value = queue.popFirst() { out.append(value) } }
        queue.prepend(-1)
        queue.removeAll { $0 % 2 == 0 && $0 >= 0 }
        while let value = queue.popFirst() { out.append(value) }
        #expect(out == Array(0..<70) + [-1] + Array(stride(from: 71, to: 100, by: 2)))
    }
}
