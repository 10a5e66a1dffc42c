import FeedPipeline
import MarketModel
import VenueKit

/// Replays a ``FixtureSession`` through real ``FeedPipeline``s (one per recorded connection) and a
/// ``FeedStatusBoard``, as docs/fixtures.md prescribes, and returns the fixture-form NDJSON lines
/// (SPEC §6: no `ts_recv`, no `seq`).
///
/// The replay fails — it is the session's contract, not only its output — when the pipeline does
/// not produce exactly the recorded `send` frames in order (each before the line that records it),
/// or when a `rest` answer arrives that the pipeline never asked for.
struct FixtureReplayer<Adapter: VenueAdapter> {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The output lines, each ending without `\n`.
    private(set) var lines: [String] = []
    /// Log actions seen (for diagnostics).
    private(set) var logs: [String] = []

    private var configuration: FeedPipelineConfiguration?
    private var pipelines: [Int: FeedPipeline<Adapter>] = [:]
    private var producedFrames: [Int: [String]] = [:]
    private var pendingSnapshots: [(conn: Int, symbol: Symbol, url: String)] = []
    private var board = FeedStatusBoard()
    private var output = FeedOutput()
    private let encoder = NDJSONEncoder(includesReceiveTime: false)
    private var buffer: [UInt8] = []

    init() {}

    mutating func replay(_ session: FixtureSession) throws(Failure) {
        for (t, line, event) in session.events {
            func fail(_ message: String) -> Failure { Failure(description: "session.jsonl line \(line) (t=\(t)): \(message)") }
            let tsRecv = t * 1_000_000
            switch event {
            case let .config(symbols, channels, bookDepth, options):
                guard configuration == nil else { throw fail("a second config line") }
                configuration = FeedPipelineConfiguration(symbols: symbols, channels: channels, bookDepth: bookDepth, options: options)
            case let .connect(conn, _):
                guard var config = configuration else { throw fail("connect before config") }
                guard pipelines[conn] == nil else { throw fail("conn \(conn) is already open") }
                config.connectionID = conn
                var pipeline = FeedPipeline<Adapter>(configuration: config)
                pipeline.connectionOpened(into: &output)
                pipelines[conn] = pipeline
                drain(conn)
            case let .send(conn, text):
                guard var queue = producedFrames[conn], !queue.isEmpty else {
                    throw fail("the session sent \(text) on conn \(conn), but the pipeline produced no frame to send")
                }
                let produced = queue.removeFirst()
                producedFrames[conn] = queue
                guard produced == text else {
                    throw fail("frame mismatch on conn \(conn)\n  recorded: \(text)\n  produced: \(produced)")
                }
            case let .recv(conn, bytes, isBinary):
                guard pipelines[conn] != nil else { throw fail("recv on conn \(conn), which is not open") }
                bytes.withUnsafeBytes { pipelines[conn]!.receive($0, tsRecv: tsRecv, isBinary: isBinary, into: &output) }
                drain(conn)
            case let .rest(_, url, status, body):
                guard let index = pendingSnapshots.firstIndex(where: { $0.url == url }) else {
                    let asked = pendingSnapshots.map(\.url)
                    throw fail("REST answer for \(url), which the pipeline never asked for (pending: \(asked))")
                }
                let (conn, symbol, _) = pendingSnapshots.remove(at: index)
                guard pipelines[conn] != nil else { throw fail("REST answer for closed conn \(conn)") }
                body.withUnsafeBytes {
                    pipelines[conn]!.restResponse(symbol: symbol, status: status, body: $0, tsRecv: tsRecv, into: &output)
                }
                drain(conn)
            case let .disconnect(conn, code, reason):
                guard pipelines[conn] != nil else { throw fail("disconnect of conn \(conn), which is not open") }
                if let unsent = producedFrames[conn], !unsent.isEmpty {
                    throw fail("conn \(conn) closed before the session sent the pipeline's frames: \(unsent)")
                }
                let text = "code \(code.map(String.init) ?? "none")" + (reason.map { ": \($0)" } ?? "")
                pipelines[conn]!.connectionClosed(reason: text, into: &output)
                drain(conn)
                pipelines[conn] = nil
                pendingSnapshots.removeAll { $0.conn == conn }
            }
        }
        for (conn, unsent) in producedFrames.sorted(by: { $0.key < $1.key }) where !unsent.isEmpty {
            throw Failure(description: "the pipeline produced frames on conn \(conn) that the session never sent: \(unsent)")
        }
    }

    private mutating func drain(_ conn: Int) {
        for event in output.events {
            guard let merged = board.merge(event, connection: conn) else { continue }
            buffer.removeAll(keepingCapacity: true)
            encoder.encode(merged, seq: nil, into: &buffer)
            if buffer.last == UInt8(ascii: "\n") { buffer.removeLast() }
            lines.append(String(decoding: buffer, as: UTF8.self))
        }
        for action in output.actions {
            switch action {
            case .send(let frame): producedFrames[conn, default: []].append(frame.text)
            case .fetchSnapshot(let symbol, let request): pendingSnapshots.append((conn, symbol, request.url))
            case .reconnect(let reason): logs.append("reconnect requested: \(reason)")
            case .log(let entry): logs.append(entry.description)
            }
        }
        output.removeAll()
    }
}
