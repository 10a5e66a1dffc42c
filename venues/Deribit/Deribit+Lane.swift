import MarketModel
import VenueKit

extension Deribit {
    /// The trade lane: a `trades.*` notification in Deribit's usual layout, read with one
    /// `LayoutReader` pass (see docs/adapters.md "The trade lane"); `false` (nothing appended)
    /// sends the frame to the general path, which reads any key order, liquidation flags and
    /// errors.
    /// ```
    /// {"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.100ms","data":[{"trade_seq":271252854,"trade_id":"403691824","timestamp":1765531356452,"tick_direction":2,"price":92294.5,"mark_price":92287.11,"instrument_name":"BTC-PERPETUAL","index_price":92290.02,"direction":"sell","amount":10.0,"contracts":1.0}]}}
    /// ```
    mutating func layoutTrades(_ message: UnsafeRawBufferPointer, _ context: ParseContext, _ output: inout VenueOutputs) -> Bool {
        var r = LayoutReader(message)
        guard r.literal(#"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades."#), r.skipString(),
              r.literal(#","data":["#) else { return false }
        return output.appendingLane { output in
            repeat {
                guard r.literal(#"{"trade_seq":"#), r.skipInteger() else { return false }
                let id: TradeID
                if r.literal(#","trade_id":""#) {
                    guard let quoted = r.quotedTradeID() else { return false }
                    id = quoted
                } else {
                    guard r.literal(#","trade_id":"#), let number = r.integer() else { return false }
                    id = TradeID(number)
                }
                guard r.literal(#","timestamp":"#), let ms = r.integer(), let ts = try? VenueTime.nanoseconds(milliseconds: ms, "timestamp"),
                      r.literal(#","tick_direction":"#), r.skipInteger(), r.literal(#","price":"#), let price = r.decimal(),
                      r.literal(#","mark_price":"#), r.skipNumber(), r.literal(#","instrument_name":""#), let name = r.string(),
                      let symbol = symbols.lookup(name), r.literal(#","index_price":"#), r.skipNumber(),
                      r.literal(#","direction":""#) else { return false }
                let side: Side
                if r.literal(#"buy","amount":"#) { side = .buy } else if r.literal(#"sell","amount":"#) { side = .sell } else { return false }
                guard let amount = r.decimal(), r.literal(#","contracts":"#), r.skipNumber(), r.literal("}") else { return false }
                // No `liquidation` member in this layout, so no liquidation events (those frames take the general path).
                if wanted.channels(for: symbol).contains(.trades) {
                    output.append(Trade(venue: .deribit, symbol: symbol, price: price, size: amount, side: side,
                                               tradeID: id, tsExchange: ts, tsRecv: context.tsRecv))
                }
            } while r.literal(",")
            return r.literal("]}}") && r.isAtEnd
        }
    }
}
