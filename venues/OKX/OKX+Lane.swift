import MarketModel
import VenueKit

extension OKX {
    /// The trade lane: a `trades` push in OKX's documented layout, read with one `LayoutReader`
    /// pass (see docs/adapters.md "The trade lane"); `false` (nothing appended) sends the frame to
    /// the general path, which reads any key order and reports errors.
    /// ```
    /// {"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"130639474","px":"42219.9","sz":"0.12060306","side":"buy","ts":"1630048897897","count":"3","source":"0"}]}
    /// ```
    mutating func layoutTrades(_ message: UnsafeRawBufferPointer, _ context: ParseContext, _ output: inout VenueOutputs) -> Bool {
        var r = LayoutReader(message)
        guard r.literal(#"{"arg":{"channel":"trades","instId":""#), let name = r.string(), r.literal(#"},"data":["#),
              let symbol = symbols.lookup(name) else { return false }
        return output.appendingLane { output in
            repeat {
                guard r.literal(#"{"instId":""#), r.skipString(), r.literal(#","tradeId":""#), let id = r.quotedTradeID(),
                      r.literal(#","px":""#), let price = r.quotedDecimal(), r.literal(#","sz":""#), let size = r.quotedDecimal(),
                      r.literal(#","side":""#) else { return false }
                let side: Side
                if r.literal(#"buy","ts":""#) { side = .buy } else if r.literal(#"sell","ts":""#) { side = .sell } else { return false }
                guard let ms = r.quotedInteger(), let ts = try? VenueTime.nanoseconds(milliseconds: ms, "ts"),
                      r.literal(#","count":""#), r.skipString() else { return false }
                if r.literal(#","source":""#) { guard r.skipString() else { return false } }
                guard r.literal("}") else { return false }
                output.append(Trade(venue: .okx, symbol: symbol, price: price, size: size, side: side, tradeID: id,
                                           tsExchange: ts, tsRecv: context.tsRecv))
            } while r.literal(",")
            return r.literal("]}") && r.isAtEnd
        }
    }
}
