import MarketModel
import VenueKit

/// The sequencing rules of each venue, applied to a book's last id (used for the live book and
/// for replaying buffered deltas onto a REST snapshot).
enum SequenceRule {
    enum Verdict: Equatable {
        /// Apply; the book's id becomes the payload (or stays `nil`).
        case apply(Int64?)
        /// Already contained in the book (Binance `u <= lastUpdateId`): drop silently.
        case skip
        /// A hole: resync with this reason.
        case gap(String)
    }

    /// The rule for one delta's numbers, given the book's last id (`nil` before any: the first
    /// delta is accepted) and, for Binance USD-M, whether the next delta must bridge the snapshot
    /// (`U <= lastUpdateId <= u`).
    static func check(_ sequencing: BookSequencing, lastSequence: Int64?, needsBridge: Bool) -> Verdict {
        switch sequencing {
        case .none:
            return .apply(lastSequence)
        case .restSnapshot:
            return .skip
        case .binanceSpot(let first, let last):
            // binance-spot-api-docs web-socket-streams.md "How to manage a local order book":
            // ignore u <= book id; U > book id + 1 is a gap; then book id = u.
            guard let id = lastSequence else { return .apply(last) }
            if last <= id { return .skip }
            if first > id &+ 1 { return .gap("gap: expected \(id &+ 1) got \(first)") }
            return .apply(last)
        case .binanceFutures(let first, let last, let previous):
            // USD-M "How to manage a local order book correctly": drop u < lastUpdateId; the
            // first applied must have U <= lastUpdateId <= u; afterwards pu == previous u.
            guard let id = lastSequence else { return .apply(last) }
            if needsBridge {
                if last < id { return .skip }
                if first > id { return .gap("gap: expected \(id) got \(first)") }
                return .apply(last)
            }
            if previous != id { return .gap("gap: expected \(id) got \(previous)") }
            return .apply(last)
        case .okx(let seq, let prev):
            // OKX books: prevSeqId must equal the last seqId (keep-alives have seqId == prevSeqId;
            // after maintenance seqId may drop below prevSeqId — still continuous).
            guard let id = lastSequence else { return .apply(seq) }
            if prev != id { return .gap("gap: expected \(id) got \(prev)") }
            return .apply(seq)
        case .deribit(let change, let prev):
            // Deribit book.{instrument}: prev_change_id must equal the last change_id.
            guard let id = lastSequence else { return .apply(change) }
            guard let prev else { return .gap("gap: expected \(id) got none") }
            if prev != id { return .gap("gap: expected \(id) got \(prev)") }
            return .apply(change)
        case .bybit(let u):
            // Bybit v5 orderbook: u increases per update; a snapshot resets.
            guard let id = lastSequence else { return .apply(u) }
            if u <= id { return .gap("gap: expected > \(id) got \(u)") }
            return .apply(u)
        case .connectionSequence(let n):
            // Per-connection counters interleave channels: only monotonicity is per-book.
            guard let id = lastSequence else { return .apply(n) }
            if n <= id { return .gap("gap: expected > \(id) got \(n)") }
            return .apply(n)
        }
    }
}
