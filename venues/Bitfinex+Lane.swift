import MarketModel
import VenueKit

extension Bitfinex {
    /// The trade lane: a `te` message in Bitfinex's layout with the SEQ_ALL sequence number, read
    /// with one `LayoutReader` pass (see docs/adapters.md "The trade lane"); `false` (nothing
    /// appended) sends the frame to the general path (`parseChannel`), which reads every other
    /// shape, exponents and errors.
    /// ```
    /// [17470,"te",[401597395,1574694478808,0.005,7245.3],1]
    /// ```
    /// `AMOUNT` is signed: negative is a sell (the taker side).
    mutating func layoutTrade(_ message: UnsafeRawBufferPointer, _ context: ParseContext, _ output: inout VenueOutputs) -> Bool {
        var r = LayoutReader(message)
        guard r.literal("["), let chanID = r.integer(), r.literal(#","te",["#), let id = r.integer(), r.literal(","),
              let ms = r.integer(), let ts = try? VenueTime.nanoseconds(milliseconds: ms, "MTS"), r.literal(","),
              let amount = r.decimal(), r.literal(","), let price = r.decimal(), r.literal("],"), let seq = r.integer(),
              r.literal("]"), r.isAtEnd, let key = feedKey(chanID) else { return false }
        output.append(.connectionSequence(seq))
        output.append(Trade(venue: .bitfinex, symbol: key.symbol, price: price, size: amount.magnitude,
                                   side: amount.isNegative ? .sell : .buy, tradeID: TradeID(id), tsExchange: ts,
                                   tsRecv: context.tsRecv))
        return true
    }

    /// What channel `chanID` carries, remembering the last lookup (one channel usually sends
    /// many messages in a row).
    mutating func feedKey(_ chanID: Int64) -> FeedKey? {
        if let last = lastFeed, last.chanID == chanID { return last.key }
        let key = feeds[chanID]
        lastFeed = (chanID, key)
        return key
    }
}
