import ArgumentParser
import Fanout
import MarketModel
#if canImport(Glibc)
import Glibc
#endif

/// `marketmux order place|cancel …`: submits through the local socket and prints every update of
/// the order as NDJSON until a terminal state (SPEC.md §2, §5). Exit 0 when the order ends
/// `filled` or `canceled`, 1 when it is refused, `rejected` or `expired`.
struct OrderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "order",
        abstract: "Place or cancel an order through the local socket and follow it to a terminal state.",
        subcommands: [OrderPlaceCommand.self, OrderCancelCommand.self, OrderCancelAllCommand.self]
    )
}

/// `marketmux order place`.
struct OrderPlaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "place", abstract: "Place an order and print its updates.")

    @Option(help: "Socket path (default: $MARKETMUX_SOCKET, else ./marketmux.sock).") var socket: String?
    @Option(help: "Venue id, e.g. binance.") var venue: String
    @Option(help: "Normalized symbol, e.g. BTC-USDT.") var symbol: String
    @Option(help: "buy or sell.") var side: String
    @Option(help: "limit or market.") var type: String = "limit"
    @Option(help: "Limit price (exact decimal, on the venue's tick).") var price: String?
    @Option(help: "Size (exact decimal, on the venue's lot).") var size: String
    @Option(help: "Time in force: gtc, ioc, fok, post_only.") var tif: String = "gtc"
    @Option(help: "Your id for the order (default: generated).") var clientOrderID: String?

    func run() throws {
        let symbolValue: Symbol
        do { symbolValue = try Symbol(symbol) } catch { exitWithError("--symbol: \(error)") }
        guard let sideValue = Side(rawValue: side) else { exitWithError("--side must be buy or sell, got '\(side)'.") }
        guard let typeValue = OrderType(rawValue: type) else { exitWithError("--type must be limit or market, got '\(type)'.") }
        guard let tifValue = TimeInForce(rawValue: tif) else { exitWithError("--tif must be gtc, ioc, fok or post_only, got '\(tif)'.") }
        guard let sizeValue = Size(size) else { exitWithError("--size must be a decimal number, got '\(size)'.") }
        var priceValue: Price?
        if let price {
            guard let parsed = Price(price) else { exitWithError("--price must be a decimal number, got '\(price)'.") }
            priceValue = parsed
        }
        if typeValue == .limit && priceValue == nil { exitWithError("a limit order needs --price.") }
        let id = clientOrderID ?? "cli-\(getpid())-\(time(nil))"
        let session = OrderSession(place: OrderPlacement(requestID: "1", venue: VenueID(rawValue: venue), symbol: symbolValue,
                                                         side: sideValue, type: typeValue, price: priceValue, size: sizeValue,
                                                         timeInForce: tifValue, clientOrderID: id))
        OrderSocketClient.follow(session, socketPath: socket)
    }
}

/// `marketmux order cancel`.
struct OrderCancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel an order and print its updates.")

    @Option(help: "Socket path (default: $MARKETMUX_SOCKET, else ./marketmux.sock).") var socket: String?
    @Option(help: "Venue id.") var venue: String
    @Option(help: "Normalized symbol.") var symbol: String
    @Option(help: "The order's client order id.") var clientOrderID: String

    func run() throws {
        let symbolValue: Symbol
        do { symbolValue = try Symbol(symbol) } catch { exitWithError("--symbol: \(error)") }
        let session = OrderSession(cancel: OrderCancellation(requestID: "1", venue: VenueID(rawValue: venue), symbol: symbolValue,
                                                             clientOrderID: clientOrderID))
        OrderSocketClient.follow(session, socketPath: socket)
    }
}

/// `marketmux order cancel-all`: the kill switch for one venue (optionally one symbol).
struct OrderCancelAllCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel-all",
        abstract: "Cancel every client's open orders on a venue (the kill switch); prints the acknowledgement.",
        discussion: """
        Sends {"op":"order.cancel_all","all_clients":true}: queued orders are canceled at once, orders at the \
        venue through the cancel lane (the venue's own cancel-all where it has one). The clients that placed \
        them get their `canceled` updates. A socket client can send the same op without all_clients to cancel \
        only its own orders.
        """)

    @Option(help: "Socket path (default: $MARKETMUX_SOCKET, else ./marketmux.sock).") var socket: String?
    @Option(help: "Venue id.") var venue: String
    @Option(help: "Only this normalized symbol (default: every symbol).") var symbol: String?

    func run() throws {
        var symbolValue: Symbol?
        if let symbol {
            do { symbolValue = try Symbol(symbol) } catch { exitWithError("--symbol: \(error)") }
        }
        let session = OrderSession(cancelAll: OrderCancelAll(requestID: "1", venue: VenueID(rawValue: venue), symbol: symbolValue,
                                                            allClients: true))
        OrderSocketClient.follow(session, socketPath: socket)
    }
}

/// The blocking socket loop shared by the subcommands.
enum OrderSocketClient {
    static func follow(_ initial: OrderSession, socketPath: String?) -> Never {
        signal(SIGPIPE, SIG_IGN)
        var session = initial
        let path = socketPath ?? getenv("MARKETMUX_SOCKET").map { String(cString: $0) } ?? "./marketmux.sock"
        let fd: Int32
        do {
            fd = try UnixSocket.connect(to: path)
        } catch {
            exitWithError("\(error.message).")
        }
        guard TailCommand.writeAll(fd, session.requestLine[...]) else {
            exitWithError("cannot send the request to \(path): \(String(cString: strerror(errno))).")
        }
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                exitWithError("reading from \(path) failed: \(String(cString: strerror(errno))).")
            }
            if count == 0 {
                exitWithError(session.isAcknowledged ? "the server closed the connection before the order reached a terminal state"
                    : "the server closed the connection before answering the request")
            }
            pending.append(contentsOf: chunk[..<count])
            var start = 0
            while let newline = pending[start...].firstIndex(of: 0x0A) {
                let step = pending.withUnsafeBytes { session.receive(UnsafeRawBufferPointer(rebasing: $0[start ..< newline])) }
                var output = Array(pending[start ... newline])
                switch step {
                case .print:
                    TailCommand.flush(&output)
                case .finished(let code):
                    TailCommand.flush(&output)
                    close(fd)
                    exit(code)
                case .skip:
                    break
                case .fail(let message):
                    exitWithError("\(message).")
                }
                start = newline + 1
            }
            pending.removeFirst(start)
        }
    }
}
