import MarketModel
import VenueKit

extension BitMEX {
    /// The trade lane: a `trade` insert in BitMEX's usual row layout, read with one `LayoutReader`
    /// pass (see docs/adapters.md "The trade lane"); `false` (nothing appended) sends the frame to
    /// the general path, which reads any key order, partials and errors.
    /// ```
    /// {"table":"trade","action":"insert","data":[{"timestamp":"2024-11-24T08:15:38.704Z","symbol":"XBTUSD","side":"Sell","size":100,"price":98570.9,"tickDirection":"ZeroPlusTick","trdMatchID":"00000000-006d-1000-0000-000e8737d536","grossValue":101450,"homeNotional":0.0010145,"foreignNotional":100,"trdType":"Regular"}]}
    /// ```
    mutating func layoutTrades(_ message: UnsafeRawBufferPointer, _ context: ParseContext, _ output: inout VenueOutputs) -> Bool {
        var r = LayoutReader(message)
        guard r.literal(#"{"table":"trade","action":"insert","data":["#) else { return false }
        return output.appendingLane { output in
            repeat {
                guard r.literal(#"{"timestamp":""#), let stamp = r.string(), let ts = try? clock.nanoseconds(stamp),
                      r.literal(#","symbol":""#), let name = r.string(), let symbol = symbols.lookup(name),
                      r.literal(#","side":""#) else { return false }
                let side: Side
                if r.literal(#"Buy","size":"#) { side = .buy } else if r.literal(#"Sell","size":"#) { side = .sell } else { return false }
                guard let size = r.decimal(), r.literal(#","price":"#), let price = r.decimal(),
                      r.literal(#","tickDirection":""#), r.skipString(), r.literal(#","trdMatchID":""#), let id = r.quotedTradeID(),
                      r.literal(#","grossValue":"#), r.skipNumber(), r.literal(#","homeNotional":"#), r.skipNumber(),
                      r.literal(#","foreignNotional":"#), r.skipNumber(),
                      r.literal(#","trdType":""#), r.skipString(), r.literal("}") else { return false }
                output.append(Trade(venue: .bitmex, symbol: symbol, price: price, size: size, side: side,
                                           tradeID: id, tsExchange: ts, tsRecv: context.tsRecv))
            } while r.literal(",")
            return r.literal("]}") && r.isAtEnd
        }
    }
}
