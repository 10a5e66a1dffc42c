import Testing
import MarketModel
import VenueKit
@testable import Sessions

@Suite("SubscriptionSharder")
struct SubscriptionSharderTests {
    @Test("caps: Binance 1024, Binance USD-M 200, Bitfinex 25, OKX 30, 1", arguments: [
        (1024, 2_500, [1024, 1024, 452]),
        (200, 450, [200, 200, 50]),
        (25, 60, [25, 25, 10]),
        (30, 30, [30]),
        (1, 3, [1, 1, 1]),
    ])
    func caps(cap: Int, count: Int, expected: [Int]) {
        var sharder = SubscriptionSharder(capacity: cap)
        let wanted = manySymbols(count).map { Subscription(symbol: $0, channel: .trades) }
        let changes = sharder.add(wanted)
        #expect(changes.map(\.connection) == Array(0..<expected.count))
        #expect(changes.map(\.subscribe.count) == expected)
        #expect(changes.allSatisfy { $0.isNewConnection && $0.unsubscribe.isEmpty && !$0.isRemoved })
        #expect(sharder.connectionIDs.allSatisfy { sharder.subscriptions(on: $0).count <= cap })
        #expect(sharder.subscriptionCount == count)
    }

    @Test("placement is canonical: a symbol's channels stay together, symbols ascending")
    func canonicalOrder() {
        var sharder = SubscriptionSharder(capacity: 4)
        let changes = sharder.add([sub("ETH-USDT", .trades), sub("BTC-USDT", .trades), sub("ETH-USDT", .book),
                                   sub("BTC-USDT", .book), sub("BTC-USDT", .bbo)])
        #expect(changes.count == 2)
        #expect(changes[0].subscribe == [sub("BTC-USDT", .bbo), sub("BTC-USDT", .book), sub("BTC-USDT", .trades), sub("ETH-USDT", .book)])
        #expect(changes[1].subscribe == [sub("ETH-USDT", .trades)])
    }

    @Test("removing frees room that the next additions reuse, lowest connection first")
    func reuseRoom() {
        var sharder = SubscriptionSharder(capacity: 25)  // Bitfinex: 25 channels per connection
        let first = manySymbols(60).map { Subscription(symbol: $0, channel: .book) }
        _ = sharder.add(first)
        let removed = Array(first[3..<8])  // five from connection 0
        let removal = sharder.remove(removed)
        #expect(removal == [ShardChange(connection: 0, unsubscribe: removed)])
        #expect(sharder.room(on: 0) == 5)
        let added = manySymbols(60).map { Subscription(symbol: $0, channel: .trades) }.prefix(7)
        let changes = sharder.add(added)
        // Connection 0 takes five, connection 2 (10 of 25 used) the remaining two: nothing new opened.
        #expect(changes == [ShardChange(connection: 0, subscribe: Array(added.prefix(5))),
                            ShardChange(connection: 2, subscribe: Array(added.suffix(2)))])
        #expect(sharder.connectionIDs == [0, 1, 2])
    }

    @Test("update merges unsubscribe and subscribe per connection; emptied connections close; ids never reused")
    func updateAndRemoval() {
        var sharder = SubscriptionSharder(capacity: 2)
        _ = sharder.update(to: [sub("A-USDT"), sub("B-USDT"), sub("C-USDT"), sub("D-USDT")])
        #expect(sharder.connectionIDs == [0, 1])
        // Swap B for E: E fills the room B left on connection 0. Drop C and D: connection 1 closes.
        let changes = sharder.update(to: [sub("A-USDT"), sub("E-USDT")])
        #expect(changes == [ShardChange(connection: 0, subscribe: [sub("E-USDT")], unsubscribe: [sub("B-USDT")]),
                            ShardChange(connection: 1, isRemoved: true)])
        #expect(sharder.connectionIDs == [0])
        let more = sharder.add([sub("F-USDT"), sub("G-USDT")])
        #expect(more == [ShardChange(connection: 2, subscribe: [sub("F-USDT"), sub("G-USDT")], isNewConnection: true)])
    }

    @Test("random churn never moves a subscription, never exceeds the cap, always matches the wanted set")
    func churnNeverMoves() {
        var random = SplitMix64(seed: 2024)
        let universe = manySymbols(300).flatMap { [Subscription(symbol: $0, channel: .trades), Subscription(symbol: $0, channel: .book)] }
        var sharder = SubscriptionSharder(capacity: 50)
        var wanted: Set<Subscription> = []
        var placedOn: [Subscription: Int] = [:]
        for _ in 0..<200 {
            for _ in 0..<Int.random(in: 1...40, using: &random) {
                let candidate = universe[Int.random(in: 0..<universe.count, using: &random)]
                if wanted.contains(candidate) { wanted.remove(candidate) } else { wanted.insert(candidate) }
            }
            let changes = sharder.update(to: wanted)
            for change in changes {
                for added in change.subscribe { placedOn[added] = change.connection }
            }
            for subscription in wanted {
                // Stays where it was first placed for as long as it is wanted.
                #expect(sharder.connection(for: subscription) == placedOn[subscription])
            }
            placedOn = placedOn.filter { wanted.contains($0.key) }
            #expect(sharder.subscriptionCount == wanted.count)
            #expect(sharder.connectionIDs.allSatisfy { (1...50).contains(sharder.subscriptions(on: $0).count) })
        }
    }

    @Test("deterministic: input order and duplicates do not matter")
    func deterministic() {
        let wanted = manySymbols(130).map { Subscription(symbol: $0, channel: .bbo) }
        var forward = SubscriptionSharder(capacity: 25)
        var backward = SubscriptionSharder(capacity: 25)
        let a = forward.add(wanted)
        let b = backward.add(wanted.reversed() + wanted.prefix(10))
        #expect(a == b)
        #expect(forward.add(wanted).isEmpty)  // already assigned: nothing to do
    }
}
