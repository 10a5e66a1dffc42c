import MarketModel

/// Turns one request line into a ``ClientRequest`` or the ``RequestError`` to reply with
/// (SPEC §5; docs/protocol.md). Unknown extra fields are ignored so that clients can be newer
/// than the server.
public enum RequestParser {
    /// Longest accepted `id` (it is echoed in every reply).
    public static let maxIDBytes = 128
    /// Longest accepted `client_order_id`.
    public static let maxClientOrderIDBytes = 64

    /// The ops, as listed in error messages.
    static let ops = ["subscribe", "unsubscribe", "status", "order.place", "order.cancel", "order.cancel_all", "order.options"]

    /// Parses `line` (without its `\n`). Subscriptions are validated against `catalog`; order
    /// requests are refused with `unsupported` unless `isOrderEntryEnabled`.
    public static func parse(_ line: UnsafeRawBufferPointer, catalog: Catalog,
                             isOrderEntryEnabled: Bool) throws(RequestError) -> ClientRequest {
        let object: [String: JSONValue]
        do {
            object = try JSONLineParser.parseObject(line)
        } catch {
            throw RequestError(id: nil, code: .malformedJSON, message: error.description)
        }
        var fields = Fields(object: object, id: nil)
        // Take the id first (when usable) so that even an error about `op` can echo it.
        if case .string(let text)? = object["id"], text.utf8.count <= maxIDBytes { fields.id = text }
        let op = try fields.string("op")
        let id = try fields.string("id")
        guard id.utf8.count <= maxIDBytes else {
            throw RequestError(id: nil, code: .invalidField, message: "\"id\" is longer than \(maxIDBytes) bytes")
        }
        switch op {
        case "subscribe":
            let filter = try fields.filter()
            if let (code, message) = catalog.validate(filter) { throw fields.failure(code, message) }
            return .subscribe(id: id, filter: filter)
        case "unsubscribe":
            return .unsubscribe(id: id, filter: try fields.filter())
        case "status":
            return .status(id: id)
        case "order.place", "order.cancel", "order.cancel_all":
            guard isOrderEntryEnabled else {
                throw fields.failure(.unsupported, "order entry is not enabled in this instance")
            }
            switch op {
            case "order.place": return .order(try fields.placement(catalog: catalog))
            case "order.cancel": return .order(try fields.cancellation(catalog: catalog))
            default: return .order(try fields.cancelAll(catalog: catalog))
            }
        case "order.options":
            guard isOrderEntryEnabled else {
                throw fields.failure(.unsupported, "order entry is not enabled in this instance")
            }
            guard let value = fields.object["cancel_on_disconnect"] else {
                throw fields.failure(.missingField, "missing field \"cancel_on_disconnect\"")
            }
            guard case .bool(let flag) = value else {
                throw fields.failure(.invalidField, "\"cancel_on_disconnect\" must be true or false, not \(value.typeName)")
            }
            return .orderOptions(id: id, cancelOnDisconnect: flag)
        default:
            throw fields.failure(.unknownOp, "unknown op '\(op)'; ops are \(ops.joined(separator: ", "))")
        }
    }

    /// Convenience for tests and cold paths.
    public static func parse(_ line: String, catalog: Catalog, isOrderEntryEnabled: Bool) throws(RequestError) -> ClientRequest {
        var copy = line
        let result = copy.withUTF8 { utf8 in
            Result { () throws(RequestError) -> ClientRequest in
                try parse(UnsafeRawBufferPointer(utf8), catalog: catalog, isOrderEntryEnabled: isOrderEntryEnabled)
            }
        }
        return try result.get()
    }

    /// Typed field access with errors that carry the request id once it is known.
    struct Fields {
        let object: [String: JSONValue]
        var id: String?

        func failure(_ code: FanoutErrorCode, _ message: String) -> RequestError {
            RequestError(id: id, code: code, message: message)
        }

        func string(_ key: String) throws(RequestError) -> String {
            guard let value = object[key] else { throw failure(.missingField, "missing field \"\(key)\"") }
            guard case .string(let text) = value else {
                throw failure(.invalidField, "\"\(key)\" must be a string, not \(value.typeName)")
            }
            return text
        }

        func optionalString(_ key: String) throws(RequestError) -> String? {
            guard let value = object[key], value != .null else { return nil }
            return try string(key)
        }

        func nonEmpty(_ key: String) throws(RequestError) -> String {
            let text = try string(key)
            guard !text.isEmpty else { throw failure(.invalidField, "\"\(key)\" must not be empty") }
            return text
        }

        func filter() throws(RequestError) -> SubscriptionFilter {
            var filter = SubscriptionFilter()
            for key in ["venue", "channel", "symbol"] {
                guard object[key] != nil else {
                    throw failure(.missingField, "missing field \"\(key)\" (use \"*\" for all)")
                }
                let pattern = SubscriptionPattern(try nonEmpty(key))
                switch key {
                case "venue": filter.venue = pattern
                case "channel": filter.channel = pattern
                default: filter.symbol = pattern
                }
            }
            return filter
        }

        func venueAndSymbol(catalog: Catalog) throws(RequestError) -> (VenueID, Symbol) {
            let venueText = try nonEmpty("venue")
            let symbolText = try nonEmpty("symbol")
            guard let venue = catalog.servedVenue(named: venueText), let served = catalog.venues[venue] else {
                let names = catalog.venues.keys.sorted().map(\.rawValue)
                throw failure(.unknownVenue, "unknown venue '\(venueText)'; this instance serves \(Catalog.list(names))")
            }
            let symbol: Symbol
            do {
                symbol = try Symbol(symbolText)
            } catch {
                throw failure(.unknownSymbol, "\(error); symbols are normalized, e.g. BTC-USDT")
            }
            guard served.symbols.contains(symbol) else {
                throw failure(.unknownSymbol, "unknown symbol '\(symbol)' for venue '\(venue)'; served: \(Catalog.list(served.symbols.map(\.rawValue).sorted()))")
            }
            return (venue, symbol)
        }

        func decimal(_ key: String) throws(RequestError) -> FixedDecimal? {
            guard let value = object[key], value != .null else { return nil }
            guard case .string(let text) = value else {
                // Exactness (SPEC §4): decimals travel as strings, never as JSON numbers.
                throw failure(.invalidField, "\"\(key)\" must be a decimal string such as \"50000.10\", not \(value.typeName)")
            }
            guard let decimal = FixedDecimal(text), !decimal.isNegative, !decimal.isZero else {
                throw failure(.invalidField, "\"\(key)\" must be a positive decimal such as \"50000.10\", not '\(text)'")
            }
            return decimal
        }

        func clientOrderID(required: Bool) throws(RequestError) -> String? {
            let text = required ? try nonEmpty("client_order_id") : try optionalString("client_order_id")
            if let text, text.isEmpty || text.utf8.count > RequestParser.maxClientOrderIDBytes {
                throw failure(.invalidField, "\"client_order_id\" must be 1 to \(RequestParser.maxClientOrderIDBytes) bytes")
            }
            return text
        }

        func placement(catalog: Catalog) throws(RequestError) -> OrderRequest {
            let (venue, symbol) = try venueAndSymbol(catalog: catalog)
            let sideText = try string("side")
            guard let side = Side(rawValue: sideText) else {
                throw failure(.invalidField, "\"side\" must be buy or sell, not '\(sideText)'")
            }
            let typeText = try string("type")
            guard let type = OrderType(rawValue: typeText) else {
                throw failure(.invalidField, "\"type\" must be limit or market, not '\(typeText)'")
            }
            guard let size = try decimal("size") else { throw failure(.missingField, "missing field \"size\"") }
            let price = try decimal("price")
            if type == .limit, price == nil { throw failure(.missingField, "missing field \"price\" (required for a limit order)") }
            var tif = TimeInForce.gtc
            if let tifText = try optionalString("tif") {
                guard let parsed = TimeInForce(rawValue: tifText) else {
                    throw failure(.invalidField, "\"tif\" must be gtc, ioc, fok or post_only, not '\(tifText)'")
                }
                tif = parsed
            }
            return .place(OrderPlacement(requestID: id ?? "", venue: venue, symbol: symbol, side: side, type: type, price: price,
                                         size: size, timeInForce: tif, clientOrderID: try clientOrderID(required: false)))
        }

        /// `order.cancel_all`: `venue` required, `symbol` optional (checked against the venue's
        /// symbols when given), `all_clients` an optional boolean.
        func cancelAll(catalog: Catalog) throws(RequestError) -> OrderRequest {
            var symbol: Symbol?
            let venue: VenueID
            if object["symbol"] != nil && object["symbol"] != .null {
                (venue, symbol) = try venueAndSymbol(catalog: catalog)
            } else {
                let venueText = try nonEmpty("venue")
                guard let served = catalog.servedVenue(named: venueText) else {
                    let names = catalog.venues.keys.sorted().map(\.rawValue)
                    throw failure(.unknownVenue, "unknown venue '\(venueText)'; this instance serves \(Catalog.list(names))")
                }
                venue = served
            }
            var allClients = false
            if let value = object["all_clients"], value != .null {
                guard case .bool(let flag) = value else {
                    throw failure(.invalidField, "\"all_clients\" must be true or false, not \(value.typeName)")
                }
                allClients = flag
            }
            return .cancelAll(OrderCancelAll(requestID: id ?? "", venue: venue, symbol: symbol, allClients: allClients))
        }

        func cancellation(catalog: Catalog) throws(RequestError) -> OrderRequest {
            let (venue, symbol) = try venueAndSymbol(catalog: catalog)
            let clientOrderID = try clientOrderID(required: true) ?? ""
            return .cancel(OrderCancellation(requestID: id ?? "", venue: venue, symbol: symbol, clientOrderID: clientOrderID))
        }
    }
}
