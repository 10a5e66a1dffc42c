import MarketModel
import VenueKit

/// The core of `marketmux normalize`: raw venue messages in (one per line, as received), SPEC §5
/// NDJSON lines out, through a real ``FeedPipeline`` — a developer's tool for checking an adapter
/// against any capture. Sans-IO: the command reads stdin, stamps each line with its read time and
/// prints what this returns.
///
/// * stdout: every event the pipeline publishes (`trade`, `book`, …, and `status` lines for
///   connecting/live, gaps, checksum failures, resyncs and parse errors), with `ts_recv`, no `seq`.
/// * stderr: one line per problem or session-layer action, naming the input line:
///   `line 3: binance: parse error: …`, `line 9: send: {…}` (a resubscribe or `public/test` the
///   session layer would send), `line 5: binance: BTC-USDT book waits for a REST snapshot …`.
/// * REST snapshots (Binance-style books) cannot be fetched here: a snapshot body given with
///   `--snapshot` answers the first request for its symbol; otherwise the book stays `connecting`
///   and a `status` line says it waits for a snapshot. A later re-fetch (after a gap) is never
///   answered with the same old body (it could not bridge the stream anyway).
/// * Without `--symbol`, symbols are learned from the input: an unknown venue symbol is mapped
///   back to a normalized one (checked by round trip through the adapter) and the pipeline is
///   rebuilt by replaying the lines seen so far (at most ``Options/historyLimit``) silently.
public struct FeedNormalizer<Adapter: VenueAdapter> {
    /// What to normalize.
    public struct Options: Sendable {
        /// The symbols to configure; empty = learn them from the input.
        public var symbols: [Symbol]
        /// The channels to publish; empty = every channel the adapter supports.
        public var channels: [Channel]
        /// REST snapshot bodies by symbol (answer the first snapshot request of that symbol).
        public var snapshots: [Symbol: [UInt8]]
        /// Book depth / REST limit passed to the adapter.
        public var bookDepth: Int?
        /// Lines kept for rebuilding the pipeline when a symbol is learned.
        public var historyLimit: Int

        /// Memberwise initializer.
        public init(symbols: [Symbol] = [], channels: [Channel] = [], snapshots: [Symbol: [UInt8]] = [:],
                    bookDepth: Int? = nil, historyLimit: Int = 10_000) {
            self.symbols = symbols
            self.channels = channels
            self.snapshots = snapshots
            self.bookDepth = bookDepth
            self.historyLimit = historyLimit
        }
    }

    /// Lines for stdout and stderr (without trailing newlines).
    public struct Lines: Sendable, Equatable {
        /// NDJSON events.
        public var stdout: [String] = []
        /// Diagnostics naming the input line.
        public var stderr: [String] = []

        /// Empty.
        public init() {}
    }

    /// What this normalizer was asked to do.
    public let options: Options
    let learnsSymbols: Bool
    let channels: [Channel]
    var symbols: [Symbol]
    var pipeline: FeedPipeline<Adapter>
    var board = FeedStatusBoard()
    var output = FeedOutput()
    var history: [(number: Int, bytes: [UInt8], tsRecv: Nanoseconds)] = []
    var isHistoryTruncated = false
    var snapshotsUsed: Set<Symbol> = []
    var isReplaying = false
    /// The symbol being added while the history is replayed.
    var learning: Symbol?
    let encoder = NDJSONEncoder(includesReceiveTime: true)
    var buffer: [UInt8] = []

    /// A normalizer for `options`.
    public init(options: Options) {
        self.options = options
        learnsSymbols = options.symbols.isEmpty
        symbols = options.symbols
        let supported = Channel.allCases.filter { $0 != .orders && Adapter.spec.channelNames[$0] != nil }
        channels = options.channels.isEmpty ? supported : options.channels
        pipeline = FeedPipeline(configuration: Self.configuration(symbols, channels, options))
    }

    static func configuration(_ symbols: [Symbol], _ channels: [Channel], _ options: Options) -> FeedPipelineConfiguration {
        FeedPipelineConfiguration(symbols: symbols, channels: channels, bookDepth: options.bookDepth)
    }

    /// Opens the (virtual) connection: the `connecting` lines. The subscribe frames a live session
    /// would send are not shown (the capture already contains their answers).
    public mutating func start(into lines: inout Lines) {
        pipeline.connectionOpened(into: &output)
        output.actions.removeAll { if case .send = $0 { return true } else { return false } }
        flush(line: 0, into: &lines)
    }

    /// Normalizes one input line read at `tsRecv`; `number` is its 1-based line number.
    public mutating func process(line text: String, number: Int, tsRecv: Nanoseconds, into lines: inout Lines) {
        var bytes = Array(text.utf8)
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard bytes.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) else { return }
        if learnsSymbols { remember(number, bytes, tsRecv) }
        let errors = pipeline.parseErrorCount
        receive(bytes, tsRecv: tsRecv)
        if learnsSymbols, pipeline.parseErrorCount != errors, let learned = learnedSymbol() {
            output.removeAll()
            symbols.append(learned.symbol)
            lines.stderr.append("line \(number): learned symbol \(learned.symbol) from '\(learned.venueName)'")
            learning = learned.symbol
            rebuild(into: &lines)  // replays this line too
            learning = nil
            return
        }
        flush(line: number, into: &lines)
    }

    /// Normalizes `input` (one message per element), stamping line `n` with `clock(n)`: the
    /// function behind `marketmux normalize`, for tests.
    public static func normalize(_ input: [String], options: Options, clock: (Int) -> Nanoseconds) -> Lines {
        var normalizer = FeedNormalizer(options: options)
        var lines = Lines()
        normalizer.start(into: &lines)
        for (i, text) in input.enumerated() {
            normalizer.process(line: text, number: i + 1, tsRecv: clock(i + 1), into: &lines)
        }
        return lines
    }

    // MARK: - Pipeline driving

    mutating func receive(_ bytes: [UInt8], tsRecv: Nanoseconds) {
        bytes.withUnsafeBytes { pipeline.receive($0, tsRecv: tsRecv, into: &output) }
        answerSnapshots(tsRecv: tsRecv)
    }

    /// Feeds `--snapshot` bodies to the pipeline's first request per symbol (and whatever that
    /// answer makes the pipeline do next, in order).
    mutating func answerSnapshots(tsRecv: Nanoseconds) {
        var index = 0
        while index < output.actions.count {
            if case .fetchSnapshot(let symbol, _) = output.actions[index], !snapshotsUsed.contains(symbol),
               let body = options.snapshots[symbol] {
                snapshotsUsed.insert(symbol)
                output.actions.remove(at: index)
                body.withUnsafeBytes { pipeline.restResponse(symbol: symbol, status: 200, body: $0, tsRecv: tsRecv, into: &output) }
                continue
            }
            index += 1
        }
    }

    mutating func flush(line number: Int, into lines: inout Lines) {
        let prefix = number > 0 ? "line \(number): " : ""
        for event in output.events {
            guard let merged = board.merge(event, connection: 0) else { continue }
            if isReplaying {
                // Everything else was printed the first time; only the new symbol's statuses are news.
                guard case .status = merged, merged.symbol == learning else { continue }
            }
            buffer.removeAll(keepingCapacity: true)
            encoder.encode(merged, seq: nil, into: &buffer)
            if buffer.last == UInt8(ascii: "\n") { buffer.removeLast() }
            lines.stdout.append(String(decoding: buffer, as: UTF8.self))
        }
        if !isReplaying {
            for action in output.actions {
                switch action {
                case .send(let frame): lines.stderr.append("\(prefix)send: \(frame.text)")
                case .fetchSnapshot(let symbol, let request):
                    let reason = "waiting for a REST snapshot (\(request.method) \(request.url)): normalize cannot fetch it; pass --snapshot \(symbol)=FILE"
                    lines.stderr.append("\(prefix)\(pipeline.venue): \(symbol) book is \(reason)")
                    lines.stdout.append(statusLine(symbol, reason))
                case .reconnect(let reason): lines.stderr.append("\(prefix)\(pipeline.venue): venue asked to reconnect: \(reason)")
                case .log(let entry): lines.stderr.append("\(prefix)\(entry.message)")
                }
            }
        }
        output.removeAll()
    }

    func statusLine(_ symbol: Symbol, _ reason: String) -> String {
        let state = pipeline.state(of: Subscription(symbol: symbol, channel: .book)) ?? .connecting
        return encoder.line(for: .status(StatusEvent(venue: pipeline.venue, symbol: symbol, channel: .book, state: state,
                                                     reason: reason))).dropLast().description
    }

    // MARK: - Learning symbols

    mutating func remember(_ number: Int, _ bytes: [UInt8], _ tsRecv: Nanoseconds) {
        if history.count >= options.historyLimit {
            history.removeFirst(max(1, history.count / 2))
            isHistoryTruncated = true
        }
        history.append((number, bytes, tsRecv))
    }

    /// The symbol behind the last parse failure, if it was an unknown venue symbol that maps
    /// back to a normalized symbol not configured yet.
    func learnedSymbol() -> (symbol: Symbol, venueName: String)? {
        guard let error = pipeline.lastParseError, error.kind == .unknownSymbol else { return nil }
        var name = Substring(error.message)
        if name.hasPrefix("'"), name.hasSuffix("'"), name.count >= 2 { name = name.dropFirst().dropLast() }
        guard let symbol = SymbolGuesser<Adapter>.symbol(forVenueName: String(name)), !symbols.contains(symbol) else { return nil }
        return (symbol, String(name))
    }

    /// Starts over with the enlarged symbol set and replays the remembered lines silently,
    /// publishing only status changes subscribers have not seen (the new symbol's).
    mutating func rebuild(into lines: inout Lines) {
        if isHistoryTruncated {
            lines.stderr.append("warning: more than \(options.historyLimit) lines before a new symbol; earlier parse state is lost")
        }
        pipeline = FeedPipeline(configuration: Self.configuration(symbols, channels, options))
        snapshotsUsed.removeAll()
        isReplaying = true
        pipeline.connectionOpened(into: &output)
        output.actions.removeAll()
        flush(line: 0, into: &lines)
        let replay = history.dropLast()
        for entry in replay {
            receive(entry.bytes, tsRecv: entry.tsRecv)
            flush(line: entry.number, into: &lines)
        }
        isReplaying = false
        if let last = history.last {
            receive(last.bytes, tsRecv: last.tsRecv)
            flush(line: last.number, into: &lines)
        }
    }
}
