import MarketModel
import VenueKit

extension Coinbase {
    /// The trade lane: a `market_trades` update in Coinbase's documented layout, read with one
    /// `LayoutReader` pass (see docs/adapters.md "The trade lane"); `false` (nothing appended)
    /// sends the frame to the general path, which reads any key order, snapshots and errors.
    /// ```
    /// {"channel":"market_trades","client_id":"","timestamp":"2026-04-07T14:30:02.789012Z","sequence_num":5,"events":[{"type":"update","trades":[{"trade_id":"995098700","product_id":"BTC-USD","price":"68900.50","size":"0.00150000","side":"BUY","time":"2026-04-07T14:30:02.789012Z"}]}]}
    /// ```
    /// `side` is the maker side (see `parseTradeList`): the taker, which `Trade.side` names, is the
    /// other one. The envelope's `sequence_num` goes out first, as on the general path.
    mutating func layoutTrades(_ message: UnsafeRawBufferPointer, _ context: ParseContext, _ output: inout VenueOutputs) -> Bool {
        var r = LayoutReader(message)
        guard r.literal(#"{"channel":"market_trades","#) else { return false }
        if r.literal(#""client_id":""#) { guard r.skipString(), r.literal(",") else { return false } }
        guard r.literal(#""timestamp":""#), let stamp = r.string(), (try? clock.nanoseconds(stamp)) != nil,
              r.literal(#","sequence_num":"#), let seq = r.integer(), r.literal(#","events":["#) else { return false }
        return output.appendingLane { output in
            output.append(.connectionSequence(seq))
            repeat {
                guard r.literal(#"{"type":"update","trades":["#) else { return false }
                repeat {
                    guard r.literal(#"{"trade_id":""#), let id = r.quotedTradeID(), r.literal(#","product_id":""#),
                          let name = r.string(), let symbol = symbols.lookup(name), r.literal(#","price":""#), let price = r.quotedDecimal(),
                          r.literal(#","size":""#), let size = r.quotedDecimal(), r.literal(#","side":""#) else { return false }
                    let side: Side
                    if r.literal(#"BUY","time":""#) { side = .sell } else if r.literal(#"SELL","time":""#) { side = .buy } else { return false }
                    guard let time = r.string(), let ts = try? clock.nanoseconds(time), r.literal("}") else { return false }
                    output.append(Trade(venue: .coinbase, symbol: symbol, price: price, size: size, side: side,
                                               tradeID: id, tsExchange: ts, tsRecv: context.tsRecv))
                } while r.literal(",")
                guard r.literal("]}") else { return false }
            } while r.literal(",")
            return r.literal("]}") && r.isAtEnd
        }
    }
}
