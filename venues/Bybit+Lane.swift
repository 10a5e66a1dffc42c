import MarketModel
import VenueKit

extension Bybit {
    /// The trade lane: a `publicTrade` message in Bybit's documented layout, read with one
    /// `LayoutReader` pass (see docs/adapters.md "The trade lane"); `false` (nothing appended)
    /// sends the frame to the general path, which reads any key order and reports errors.
    /// ```
    /// {"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1672304486868,"data":[{"T":1672304486865,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"16578.50","L":"PlusTick","i":"20f43950-d8dd-5b31-9112-a178eb6023af","BT":false,"seq":1783284617}]}
    /// ```
    mutating func layoutTrades(_ message: UnsafeRawBufferPointer, _ context: ParseContext, _ output: inout VenueOutputs) -> Bool {
        var r = LayoutReader(message)
        guard r.literal(#"{"topic":"publicTrade."#), r.skipString(), r.literal(#","type":""#), r.skipString(),
              r.literal(#","ts":"#), r.integer() != nil, r.literal(#","data":["#) else { return false }
        return output.appendingLane { output in
            repeat {
                guard r.literal(#"{"T":"#), let ms = r.integer(), ms >= 0, let ts = try? VenueTime.nanoseconds(milliseconds: ms, "T"),
                      r.literal(#","s":""#), let name = r.string(), let symbol = symbols.lookup(name), r.literal(#","S":""#) else { return false }
                let side: Side
                if r.literal(#"Buy","v":""#) { side = .buy } else if r.literal(#"Sell","v":""#) { side = .sell } else { return false }
                guard let size = r.quotedDecimal(), r.literal(#","p":""#), let price = r.quotedDecimal(),
                      r.literal(#","L":""#), r.skipString(), r.literal(#","i":""#), let id = r.quotedTradeID(),
                      r.literal(#","BT":"#), r.bool() != nil else { return false }
                if r.literal(#","RPI":"#) { guard r.bool() != nil else { return false } }
                guard r.literal(#","seq":"#), r.integer() != nil, r.literal("}") else { return false }
                output.append(Trade(venue: .bybit, symbol: symbol, price: price, size: size, side: side, tradeID: id,
                                           tsExchange: ts, tsRecv: context.tsRecv))
            } while r.literal(",")
            return r.literal("]}") && r.isAtEnd
        }
    }
}
