import MarketModel
import Testing
import VenueKit
@testable import Venues

// Bitfinex with the BULK_UPDATES conf flag (536870912, docs.bitfinex.com ws-public books): an
// update carries its levels as `[CHAN,[[PRICE,COUNT,AMOUNT],...],SEQ]`, the snapshot's shape, so
// the adapter must know per channel whether the snapshot has been seen. These tests pin that
// state (subscribe, resubscribe, a rejected snapshot), require the book lane to produce exactly
// what the general path produces for 0…40 levels in many spellings, and require malformed bulk
// frames to raise a VenueParseError with nothing appended.

/// Renders outputs for exact comparison (levels with their digits and scale, sequencing, checksum).
fileprivate func render(_ outputs: [VenueOutput]) -> [String] {
    outputs.map { output in
        switch output {
        case .book(let m):
            let u = m.update
            return "book \(u.symbol) snapshot=\(u.isSnapshot) bids=[\(u.bids.map { "\($0.price)/\($0.size)" }.joined(separator: ", "))] "
                + "asks=[\(u.asks.map { "\($0.price)/\($0.size)" }.joined(separator: ", "))] ts=\(String(describing: u.tsExchange)) recv=\(u.tsRecv) \(m.sequencing) "
                + "\(m.checksum.map { "cs=\($0.expected) \($0.algorithm.rawValue)" } ?? "-")"
        case .connectionSequence(let n): return "seq \(n)"
        default: return "other \(output)"
        }
    }
}

/// An adapter with BTC-USD's book on chanId 232957 and its trades on 17470; `snapshot` feeds the
/// book's snapshot so that later level arrays are bulk updates.
fileprivate func makeAdapter(snapshot: Bool = true, lane: Bool = true) throws -> Bitfinex {
    var adapter = Bitfinex(configuration: VenueAdapterConfiguration(symbols: [try Symbol("BTC-USD")]))
    adapter.usesLayoutLane = lane
    for event in [#"{"event":"conf","status":"OK","flags":537067520}"#,
                  #"{"event":"subscribed","channel":"trades","chanId":17470,"symbol":"tBTCUSD","pair":"BTCUSD"}"#,
                  #"{"event":"subscribed","channel":"book","chanId":232957,"symbol":"tBTCUSD","prec":"P0","freq":"F0","len":"25","pair":"BTCUSD"}"#] {
        _ = try adapter.parse(event, context: ParseContext(tsRecv: 0))
    }
    if snapshot { _ = try adapter.parse("[232957,[[87410,1,0.5],[87415,2,-0.25]],1]", context: ParseContext(tsRecv: 0)) }
    return adapter
}

/// Whether the only book output of `frame` is a snapshot.
fileprivate func isSnapshot(_ adapter: inout Bitfinex, _ frame: String) throws -> Bool? {
    let books = try adapter.parse(frame, context: ParseContext(tsRecv: 1)).compactMap { output -> BookMessage? in
        if case .book(let m) = output { return m }
        return nil
    }
    return books.count == 1 ? books[0].update.isSnapshot : nil
}

/// Deterministic level texts in Bitfinex's JavaScript number forms, and unusual spellings that
/// must go to the general path.
fileprivate struct LevelTexts {
    var rng: SplitMix64
    mutating func price() -> String {
        switch rng.next() % 6 {
        case 0: return "\(87000 + rng.next() % 900)"
        case 1: return "\(87000 + rng.next() % 900).\(1 + rng.next() % 9)"
        case 2: return "0.\(String(1_000_000 + rng.next() % 9_000_000))"
        case 3: return "\(1 + rng.next() % 9)e-7"                          // exponent: general path
        case 4: return "1234567890.123456789"                               // 19 digits: general path
        default: return "\(87000 + rng.next() % 900).50"                    // trailing zero kept
        }
    }
    mutating func amount() -> String {
        let sign = rng.next() % 2 == 0 ? "" : "-"
        switch rng.next() % 5 {
        case 0: return sign + "0.\(String(10_000_000 + rng.next() % 90_000_000))"
        case 1: return sign + "\(1 + rng.next() % 50).\(rng.next() % 1000)"
        case 2: return sign + "\(1 + rng.next() % 9)e-8"                   // exponent: general path
        case 3: return sign + "1.7023900800000002"                         // float artifact, 17 digits
        default: return sign + "\(1 + rng.next() % 3)"
        }
    }
    /// One level; `count` 0 deletes (AMOUNT ±1).
    mutating func level() -> String {
        let count = rng.next() % 4
        if count == 0 { return "[\(price()),0,\(rng.next() % 2 == 0 ? "1" : "-1")]" }
        return "[\(price()),\(count),\(amount())]"
    }
}

@Suite("Bitfinex bulk book updates and the book lane")
struct BitfinexBulkBookTests {
    @Test("the first level array after subscribed is the snapshot; later ones are bulk updates")
    func snapshotThenBulk() throws {
        var adapter = try makeAdapter(snapshot: false)
        #expect(try isSnapshot(&adapter, "[232957,[[87410,1,0.5],[87415,2,-0.25]],1]") == true)
        #expect(try isSnapshot(&adapter, "[232957,[[87411,1,0.5],[87415,0,-1]],2]") == false)
        #expect(try isSnapshot(&adapter, "[232957,[[87412,1,0.5]],3]") == false)
        #expect(try isSnapshot(&adapter, "[232957,[87413,1,0.5],4]") == false)   // one level, as without the flag
        #expect(try isSnapshot(&adapter, "[232957,[],5]") == false)               // an update without changes
        // A resubscribe gets a new chanId and a new snapshot; the old id is forgotten.
        _ = try adapter.parse(#"{"event":"unsubscribed","status":"OK","chanId":232957}"#, context: ParseContext(tsRecv: 1))
        _ = try adapter.parse(#"{"event":"subscribed","channel":"book","chanId":232970,"symbol":"tBTCUSD","prec":"P0","freq":"F0","len":"25","pair":"BTCUSD"}"#,
                              context: ParseContext(tsRecv: 1))
        #expect(try isSnapshot(&adapter, "[232957,[[87411,1,0.5]],6]") == nil)   // unmapped channel: SEQ only
        #expect(try isSnapshot(&adapter, "[232970,[[87410,1,0.5],[87415,2,-0.25]],7]") == true)
        #expect(try isSnapshot(&adapter, "[232970,[[87410,2,0.75]],8]") == false)
        // The venue may hand the same id out again: `subscribed` always starts with a snapshot.
        _ = try adapter.parse(#"{"event":"subscribed","channel":"book","chanId":232970,"symbol":"tBTCUSD","prec":"P0","freq":"F0","len":"25","pair":"BTCUSD"}"#,
                              context: ParseContext(tsRecv: 1))
        #expect(try isSnapshot(&adapter, "[232970,[],9]") == true)               // an empty book's snapshot
        #expect(try isSnapshot(&adapter, "[232970,[[87410,2,0.75]],10]") == false)
    }

    @Test("a snapshot frame that is rejected leaves the channel waiting for its snapshot", arguments: [true, false])
    func rejectedSnapshot(lane: Bool) throws {
        var adapter = try makeAdapter(snapshot: false, lane: lane)
        #expect(throws: VenueParseError.self) { _ = try adapter.parse("[232957,[[87410,1,0.5],[87415,2,-0.25]],1]]", context: ParseContext(tsRecv: 1)) }
        #expect(throws: VenueParseError.self) { _ = try adapter.parse("[232957,[[87410,1,0.5],[87415,-2,-0.25]],1]", context: ParseContext(tsRecv: 1)) }
        #expect(try isSnapshot(&adapter, "[232957,[[87410,1,0.5],[87415,2,-0.25]],1]") == true)
        #expect(try isSnapshot(&adapter, "[232957,[[87410,1,0.5]],2]") == false)
    }

    /// A bulk frame of `count` levels and its spelling variants.
    static func frames(_ count: Int, seed: UInt64) -> [String] {
        var texts = LevelTexts(rng: SplitMix64(seed: seed))
        let levels = (0 ..< count).map { _ in texts.level() }
        let body = "[" + levels.joined(separator: ",") + "]"
        let seq = 1000 + Int(seed % 1000)
        return [
            "[232957,\(body),\(seq)]",                                                   // the lane's layout
            "[ 232957, \(body.replacingOccurrences(of: ",", with: ", ")), \(seq) ]",     // whitespace: general
            "[232957,\(body),\(seq),1618677543900]",                                     // a field appended after SEQ
            "[232957,\(body)]",                                                          // no SEQ (SEQ_ALL off)
            "[232957,[" + levels.map { $0.replacingOccurrences(of: "]", with: ",null]") }.joined(separator: ",") + "],\(seq)]",  // extra level field
            "[232957,\"cs\",\(Int64(Int32.min) + Int64(seed % 4_000_000_000)),\(seq)]",   // the checksum frame
            "[232957,\"cs\",-1582707309,\(seq),7]",
        ]
    }

    @Test("book lane = general path: bulk and checksum frames of 0…40 levels in many spellings",
          arguments: [0, 1, 2, 3, 15, 16, 17, 20, 33, 40])
    func laneMatchesGeneral(_ count: Int) throws {
        for round in 0 ..< 8 {
            for frame in Self.frames(count, seed: 0xB17F_0000 &+ UInt64(count * 16 + round)) {
                var fast = try makeAdapter(lane: true), general = try makeAdapter(lane: false)
                let context = ParseContext(tsRecv: 1_795_219_200_000_000_123)
                let a = Result { try fast.parse(frame, context: context) }, b = Result { try general.parse(frame, context: context) }
                switch (a, b) {
                case (.success(let x), .success(let y)): #expect(render(x) == render(y), "\(frame)")
                case (.failure(let x), .failure(let y)):
                    #expect((x as? VenueParseError)?.kind == (y as? VenueParseError)?.kind, "\(frame)")
                default: Issue.record("lane and general path disagree on \(frame): \(a) vs \(b)")
                }
            }
        }
    }

    @Test("the lane reads the benchmark's layout itself (bulk update and checksum)")
    func laneTakesUsualLayout() throws {
        var adapter = try makeAdapter()
        var output = VenueOutputs()
        for frame in ["[232957,[[87411,2,0.5],[87413,0,-1],[87415,1,-0.25]],1042]", "[232957,\"cs\",-1582707309,1043]"] {
            var bytes = Array(frame.utf8)
            let taken = bytes.withUnsafeMutableBytes { adapter.layoutBook(UnsafeRawBufferPointer($0), ParseContext(tsRecv: 1), &output) }
            #expect(taken, "\(frame)")
        }
        #expect(render(output.all) == [
            "seq 1042", "book BTC-USD snapshot=false bids=[87411/0.5] asks=[87413/0, 87415/0.25] ts=nil recv=1 connectionSequence(1042) -",
            "seq 1043", "book BTC-USD snapshot=false bids=[] asks=[] ts=nil recv=1 connectionSequence(1043) cs=2712259987 bitfinex-top25",
        ])
    }

    @Test("malformed bulk frames raise VenueParseError and append nothing", arguments: [
        "[232957,[[87411,2,0.5],[87413,-1,-1]],5]",          // negative COUNT
        "[232957,[[87411,2,0.5],[87413,1,0]],5]",            // COUNT > 0 with AMOUNT 0
        "[232957,[[87411,2,0.5],[87413,1]],5]",              // no AMOUNT
        "[232957,[[87411,2,0.5],[]],5]",                     // empty level
        "[232957,[[87411,2,0.5],[87413,1,01.5]],5]",         // leading zero
        "[232957,[[87411,2,0.5],[87413,1.5,1]],5]",          // COUNT not an integer
        "[232957,[[87411,2,0.5],[87413,1,\"x\"]],5]",        // AMOUNT not a number
        "[232957,[[87411,2,0.5],[87413,1,0.5],5]",           // unclosed bulk array
        "[232957,[[87411,2,0.5],[87413,1,0.5]],5]]",         // trailing bracket
        "[232957,[[87411,2,0.5],[87413,1,0.5]],5.5]",        // SEQ not an integer
        "[232957,[[87411,2,0.5],[87413,1,0.5]],",            // truncated
        "[232957,\"cs\",2712259987,5]",                      // checksum outside int32
        "[232957,\"cs\",1.5,5]",                             // checksum not an integer
    ])
    func malformed(_ frame: String) throws {
        for lane in [true, false] {
            var adapter = try makeAdapter(lane: lane)
            var output = VenueOutputs([.heartbeat])
            #expect(throws: VenueParseError.self) {
                var bytes = Array(frame.utf8)
                try bytes.withUnsafeMutableBytes { try adapter.parse(UnsafeRawBufferPointer($0), context: ParseContext(tsRecv: 1), into: &output) }
            }
            #expect(output.count == 1, "\(frame) appended \(output)")
        }
    }
}
