import ArgumentParser
import FeedPipeline
import Foundation
import MarketModel
import VenueKit
import Venues

/// `marketmux normalize --venue V [--symbol S]`: raw venue messages on stdin (one per line, as
/// received) → normalized SPEC §5 NDJSON on stdout, through the real pipeline (SPEC.md §2). The
/// work is done by `FeedNormalizer`; this shell reads lines, stamps them and prints.
struct NormalizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "normalize",
        abstract: "Normalize raw venue messages (one per line on stdin) into NDJSON events on stdout.",
        discussion: """
        Every line is parsed by the venue's adapter and run through the books and guards; stdout gets the \
        events (with ts_recv = read time) including status lines for gaps, checksum failures, resyncs and \
        parse errors. Problems and the frames a live session would send (resubscribes) go to stderr, \
        prefixed with the input line number; a bad line never stops the run.

        REST-bootstrapped books (binance, binance-futures) need a depth snapshot that normalize cannot \
        fetch: pass the body of GET /api/v3/depth (or /fapi/v1/depth) with --snapshot, or the book stays \
        'connecting' with a status saying it waits for a snapshot. Without --symbol the symbols are learned \
        from the input.
        """
    )

    @Option(help: "Venue id (\(VenueRegistry.venueIDs.map(\.rawValue).joined(separator: ", "))).") var venue: String
    @Option(help: "Normalized symbol, e.g. BTC-USDT (repeatable; default: learned from the input).") var symbol: [String] = []
    @Option(help: "Channel to publish: trades, book, bbo, ticker, funding, liquidations (repeatable; default: all the venue has).")
    var channel: [String] = []
    @Option(help: "REST depth snapshot body for a REST-bootstrapped book: FILE (with one --symbol) or SYMBOL=FILE (repeatable).")
    var snapshot: [String] = []
    @Option(name: .customLong("book-depth"), help: "Book depth / REST snapshot limit passed to the adapter.") var bookDepth: Int?

    func run() throws {
        guard let adapter = VenueRegistry.adapterType(for: VenueID(rawValue: venue)) else {
            exitWithError("unknown venue '\(venue)'; known venues: \(VenueRegistry.venueIDs.map(\.rawValue).joined(separator: ", ")).")
        }
        normalize(adapter, options: makeOptions())
    }

    func makeOptions() -> NormalizeOptions {
        var symbols: [Symbol] = []
        for text in symbol {
            do { symbols.append(try Symbol(text)) } catch { exitWithError("\(error).") }
        }
        var channels: [Channel] = []
        for text in channel {
            guard let c = Channel(rawValue: text), c != .orders else {
                exitWithError("unknown channel '\(text)'; use trades, book, bbo, ticker, funding or liquidations.")
            }
            channels.append(c)
        }
        var snapshots: [Symbol: [UInt8]] = [:]
        for spec in snapshot {
            let target: Symbol
            let path: String
            if let eq = spec.firstIndex(of: "="), let named = try? Symbol(String(spec[..<eq])) {
                (target, path) = (named, String(spec[spec.index(after: eq)...]))
            } else if symbols.count == 1 {
                (target, path) = (symbols[0], spec)
            } else {
                exitWithError("--snapshot \(spec) needs exactly one --symbol; write --snapshot SYMBOL=FILE instead.")
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                exitWithError("cannot read snapshot file '\(path)'.")
            }
            snapshots[target] = Array(data)
        }
        return NormalizeOptions(symbols: symbols, channels: channels, snapshots: snapshots, bookDepth: bookDepth)
    }

    func normalize<A: VenueAdapter>(_ type: A.Type, options: NormalizeOptions) {
        var normalizer = FeedNormalizer<A>(options: .init(symbols: options.symbols, channels: options.channels,
                                                          snapshots: options.snapshots, bookDepth: options.bookDepth))
        var lines = FeedNormalizer<A>.Lines()
        normalizer.start(into: &lines)
        emit(&lines)
        var number = 0
        while let text = readLine(strippingNewline: true) {
            number += 1
            normalizer.process(line: text, number: number, tsRecv: Self.now(), into: &lines)
            emit(&lines)
        }
    }

    func emit<A: VenueAdapter>(_ lines: inout FeedNormalizer<A>.Lines) {
        for line in lines.stdout { print(line) }
        if !lines.stderr.isEmpty {
            fflush(nil)  // keep stdout and stderr lines in order when both go to a terminal
            FileHandle.standardError.write(Data(lines.stderr.map { $0 + "\n" }.joined().utf8))
        }
        lines = FeedNormalizer<A>.Lines()
    }

    /// Wall-clock read time in ns since the epoch (the command is the shell: time is read here).
    static func now() -> Nanoseconds {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Nanoseconds(ts.tv_sec) * 1_000_000_000 + Nanoseconds(ts.tv_nsec)
    }
}

/// The parsed command-line options, independent of the adapter type.
struct NormalizeOptions {
    var symbols: [Symbol]
    var channels: [Channel]
    var snapshots: [Symbol: [UInt8]]
    var bookDepth: Int?
}
