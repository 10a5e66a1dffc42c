import MarketModel
import VenueKit

extension Kraken {
    /// The trade lane: a v2 `trade` push in Kraken's documented layout, read with one
    /// `LayoutReader` pass (see docs/adapters.md "The trade lane"); `false` (nothing appended)
    /// sends the frame to the general path, which reads any key order and reports errors.
    /// ```
    /// {"channel":"trade","type":"update","data":[{"symbol":"MATIC/USD","side":"buy","price":0.5147,"qty":6423.46326,"ord_type":"limit","trade_id":4665846,"timestamp":"2023-09-25T07:48:36.925533Z"}]}
    /// ```
    mutating func layoutTrades(_ message: UnsafeRawBufferPointer, _ context: ParseContext, _ output: inout VenueOutputs) -> Bool {
        var r = LayoutReader(message)
        guard r.literal(#"{"channel":"trade","type":""#),
              r.literal(#"update","data":["#) || r.literal(#"snapshot","data":["#) else { return false }
        return output.appendingLane { output in
            repeat {
                guard r.literal(#"{"symbol":""#), let name = r.string(), let symbol = symbols.lookup(name),
                      r.literal(#","side":""#) else { return false }
                let side: Side
                if r.literal(#"buy","price":"#) { side = .buy } else if r.literal(#"sell","price":"#) { side = .sell } else { return false }
                guard let price = r.decimal(), r.literal(#","qty":"#), let size = r.decimal(),
                      r.literal(#","ord_type":""#), r.skipString(), r.literal(#","trade_id":"#), let id = r.integer(),
                      r.literal(#","timestamp":""#), let stamp = r.string(), let ts = try? clock.nanoseconds(stamp),
                      r.literal("}") else { return false }
                output.append(Trade(venue: .kraken, symbol: symbol, price: price, size: size, side: side,
                                           tradeID: TradeID(id), tsExchange: ts, tsRecv: context.tsRecv))
            } while r.literal(",")
            return r.literal("]}") && r.isAtEnd
        }
    }
}
