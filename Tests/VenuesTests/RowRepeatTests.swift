import MarketModel
import Testing
import VenueKit
import Venues

// BitMEX's compact row reader compares a row's head (`{"symbol":"XBTUSD","id":`) and tail
// (`,"timestamp":"…","transactTime":"…"}`) with the previous compact row's as whole words, and
// Coinbase's update reader an update's head (`{"side":"bid","event_time":"…","price_level":"`)
// with the last one of its side. A row that differs from its predecessors in any single byte of
// its text must read exactly as it reads with nothing to repeat (every other row spaced, so only
// it is compact), or fail alike.

/// For each byte of `rows[k]` (k in `indices`) and a few replacements of it: the outcome with the
/// other rows compact (the changed row can repeat them) equals the outcome with the other rows
/// spaced (nothing to repeat). Returns how many frames were compared.
fileprivate func compareChangedBytes(_ rows: [String], indices: [Int], _ outcome: ([String]) throws -> String) throws -> Int {
    var compared = 0
    for k in indices {
        let bytes = Array(rows[k].utf8)
        for position in bytes.indices {
            let c = bytes[position]
            let replacements: [UInt8] = c &- UInt8(ascii: "0") < 10
                ? [UInt8(ascii: "0") + (c - UInt8(ascii: "0") + 1) % 10, UInt8(ascii: "x")]
                : [c == UInt8(ascii: "Z") ? UInt8(ascii: "A") : c &+ 1, UInt8(ascii: " "), UInt8(ascii: "\"")]
            for replacement in replacements {
                var copy = bytes
                copy[position] = replacement
                let changed = String(decoding: copy, as: UTF8.self)
                var repeating = rows, alone = rows.map(spaced)
                repeating[k] = changed
                alone[k] = changed
                #expect(try outcome(repeating) == outcome(alone), "row \(k), byte \(position) → \(Character(UnicodeScalar(replacement)))")
                compared += 1
            }
        }
    }
    return compared
}

@Suite("Rows repeating the previous row's head and tail (BitMEX, Coinbase)")
struct RowRepeatTests {
    static let time = "2026-11-21T00:00:00.008Z"

    /// Row `i` in the benchmark's form: the same head and tail text on every row.
    static func row(_ i: Int) -> String {
        #"{"symbol":"XBTUSD","id":\#(8_799_075_400 + i),"side":"\#(i % 2 == 0 ? "Buy" : "Sell")","size":\#(100 * (i + 1)),"#
            + #""price":\#(92_460 + i).5,"timestamp":"\#(time)","transactTime":"\#(time)"}"#
    }

    /// The outputs of one partial frame on a fresh adapter, as text; "error" when it throws.
    static func outcome(_ rows: [String]) throws -> String {
        let xbt = try Symbol("BTC-USD-PERP")
        var adapter = BitMEX(configuration: VenueAdapterConfiguration(symbols: [xbt]))
        _ = adapter.subscribeFrames(for: [Subscription(symbol: xbt, channel: .book)])
        let frame = #"{"table":"orderBookL2_25","action":"partial","data":["# + rows.joined(separator: ",") + "]}"
        guard let outputs = try? adapter.parse(frame, context: ParseContext(tsRecv: 1)) else { return "error" }
        return outputs.map { output -> String in
            guard case .book(let m) = output else { return "\(output)" }
            return "\(m.update.isSnapshot) \(String(describing: m.update.tsExchange)) "
                + m.update.bids.map { "b \($0.price)/\($0.size)" }.joined(separator: " ")
                + " | " + m.update.asks.map { "a \($0.price)/\($0.size)" }.joined(separator: " ")
        }.joined(separator: "\n")
    }

    @Test("BitMEX: one changed byte anywhere in a repeating row reads as that row alone does")
    func changedByteAnywhere() throws {
        let rows = (0 ..< 4).map(Self.row)
        let expected = try Self.outcome(rows)
        #expect(expected.contains("92460.5/100") && expected.contains("92463.5/400"))
        #expect(try Self.outcome(rows.map(spaced)) == expected)
        let compared = try compareChangedBytes(rows, indices: [1, 3], Self.outcome)
        #expect(compared > 500)
    }

    @Test("BitMEX: rows whose times change part-way, or that drop transactTime, keep their own times")
    func changingTails() throws {
        var rows = (0 ..< 6).map(Self.row)
        rows[2] = rows[2].replacingOccurrences(of: ".008Z\",\"transactTime", with: ".009Z\",\"transactTime")
        rows[3] = rows[3].replacingOccurrences(of: #","transactTime":"\#(Self.time)""#, with: "")
        rows[4] = rows[4].replacingOccurrences(of: "\"transactTime\":\"2026-11-21T00:00:00.008Z", with: "\"transactTime\":\"2026-11-21T00:00:00.007Z")
        let expected = try Self.outcome(rows.map(spaced))
        #expect(expected.contains("Optional(1795219200009000000)"))
        #expect(try Self.outcome(rows) == expected)
    }

    /// Coinbase update `i`: bids and offers with one time, as the venue sends a message's updates.
    static func coinbaseUpdate(_ i: Int) -> String {
        let side = i % 3 == 2 ? "offer" : "bid"
        return #"{"side":"\#(side)","event_time":"2026-04-07T14:30:01.456789Z","price_level":"\#(68_900 + i).5","new_quantity":"1.\#(i)5000000"}"#
    }

    /// The levels of one Coinbase update frame, as text; "error" when it throws.
    static func coinbaseOutcome(_ updates: [String]) throws -> String {
        let btc = try Symbol("BTC-USD")
        var adapter = Coinbase(configuration: VenueAdapterConfiguration(symbols: [btc]))
        _ = adapter.subscribeFrames(for: [Subscription(symbol: btc, channel: .book)])
        let frame = #"{"channel":"l2_data","client_id":"","timestamp":"2026-04-07T14:30:01.456789Z","sequence_num":1,"events":[{"type":"update","product_id":"BTC-USD","updates":["#
            + updates.joined(separator: ",") + "]}]}"
        guard let levels = try? bookLevelTexts(&adapter, frame) else { return "error" }
        return levels.joined(separator: " ")
    }

    @Test("Coinbase: one changed byte anywhere in an update repeating its side's head reads as that update alone does")
    func coinbaseChangedByteAnywhere() throws {
        let updates = (0 ..< 6).map(Self.coinbaseUpdate)
        let expected = try Self.coinbaseOutcome(updates)
        #expect(expected.contains("b 68900.5/1.05000000") && expected.contains("a 68905.5/1.55000000"))
        #expect(try Self.coinbaseOutcome(updates.map(spaced)) == expected)
        // Update 3 repeats update 0's bid head, update 5 update 2's offer head.
        #expect(try compareChangedBytes(updates, indices: [3, 5], Self.coinbaseOutcome) > 300)
    }
}
