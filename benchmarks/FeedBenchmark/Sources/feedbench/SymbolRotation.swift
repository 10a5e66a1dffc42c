import MarketModel
import VenueKit
import Venues

/// `--experiment-symbols N`: Binance `aggTrade` frames whose symbol rotates through N subscribed
/// symbols (one connection carrying many symbols, where consecutive trades rarely share one), so
/// the symbol lookup misses its last-hit check on nearly every frame. The main trade rows use one
/// symbol per venue; this row shows what a busy multi-symbol connection costs.
struct SymbolRotation {
    let symbolCount: Int
    let options: BenchOptions

    /// Base assets `A100`, `A101`, … (venue names `A100USDT`, …; normalized `A100-USDT`, …).
    var bases: [String] { (0 ..< symbolCount).map { "A\($0 + 100)" } }

    /// The median CPU ns per trade and the allocations per trade, checking every frame yields its trade.
    func run() throws -> Summary {
        let symbols = try bases.map { try Symbol("\($0)-USDT") }
        var adapter = Binance(configuration: VenueAdapterConfiguration(symbols: symbols))
        _ = adapter.subscribeFrames(for: symbols.map { Subscription(symbol: $0, channel: .trades) })
        // The feed's own frames, with the symbol (stream name and `s`) rotated.
        let frames = BinanceFeed().tradeFrames(count: options.distinctTrades, seed: options.seed).enumerated().map { i, frame in
            let base = bases[i % symbolCount]
            return frame.replacingOccurrences(of: "btcusdt@", with: base.lowercased() + "usdt@")
                .replacingOccurrences(of: #""s":"BTCUSDT""#, with: #""s":"\#(base)USDT""#)
        }
        let set = MessageSet(frames)
        guard try rotationLoop(&adapter, set, total: set.count) == set.count else { throw BenchError("symbol rotation: a frame yielded no trade") }
        var runs: [Measurement] = []
        for _ in 0 ..< options.runs { runs.append(try measure { try rotationLoop(&adapter, set, total: options.tradesPerRun) }) }
        return Summary(runs: runs)
    }

    /// The measured loop (callgrind: `--toggle-collect='*rotationLoop*'`): parse → `Trade`, as in
    /// ``FeedRunner/normalizeLoop(_:_:total:sink:)``.
    @inline(never)
    func rotationLoop(_ adapter: inout Binance, _ set: MessageSet, total: Int) throws -> Int {
        var output = VenueOutputs(capacity: 16)
        var trades = 0, done = 0, sink = 0
        try set.bytes.withUnsafeBytes { raw in
            while done < total {
                for range in set.ranges {
                    if done == total { break }
                    output.removeAll(keepingCapacity: true)
                    try adapter.parse(UnsafeRawBufferPointer(rebasing: raw[range]), context: ParseContext(tsRecv: Int64(done)), into: &output)
                    for trade in output.trades {
                        sink &+= Int(truncatingIfNeeded: trade.price.mantissa &+ trade.size.mantissa &+ (trade.tsExchange ?? 0))
                            &+ Int(truncatingIfNeeded: trade.tradeID.number ?? 1)
                        trades += 1
                    }
                    done += 1
                }
            }
        }
        return sink == 42 ? trades + 1 : trades
    }
}
