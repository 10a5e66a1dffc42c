import MarketModel
import Testing
import VenueKit
@testable import Venues

// Deribit JSON-RPC order routing: client_signature known answer (openssl), exact frames, and
// replies/notifications shaped like docs.deribit.com and NT-DB examples.

fileprivate let secret = "deribitSECRET"
fileprivate let context = OrderFrameContext(requestID: "17", now: 1_576_074_319_000_000_000,
                                            credentials: VenueCredentials(apiKey: "deribitID", secret: secret))

fileprivate func router() throws -> Deribit {
    Deribit(configuration: VenueAdapterConfiguration(symbols: [try Symbol("BTC-USD-PERP"), try Symbol("ETH-USDC-PERP")]))
}

fileprivate func d(_ text: String) -> FixedDecimal { FixedDecimal(text) ?? .zero }

fileprivate typealias Case = OrderReplyCase

@Suite("Deribit order routing")
struct DeribitOrderRoutingTests {
    @Test("public/auth client_signature + set_heartbeat")
    func login() throws {
        // printf '1576074319000\n17\n' | openssl dgst -sha256 -hmac 'deribitSECRET'
        let frames = try router().loginFrames(context: context).map(\.text)
        #expect(frames == [
            #"{"jsonrpc":"2.0","id":"auth-17","method":"public/auth","params":{"grant_type":"client_signature","client_id":"deribitID","timestamp":1576074319000,"signature":"d6255291080bf03e867b1ec09b41978690e864a816c27c93aaf4a811b6d34d4c","nonce":"17","data":""}}"#,
            #"{"jsonrpc":"2.0","id":"hb-17","method":"public/set_heartbeat","params":{"interval":30}}"#,
        ])
        #expect(!frames.joined().contains(secret))
    }

    @Test("buy/sell, cancel by label, cancel all, status by label")
    func frames() throws {
        let r = try router()
        let buy = VenueOrder(venueClientOrderID: "O-1", symbol: try Symbol("ETH-USDC-PERP"), side: .buy, type: .limit,
                             price: d("2973.55"), size: d("0.001"), timeInForce: .postOnly)
        #expect(try r.placeFrame(buy, context: context).text == #"{"jsonrpc":"2.0","id":17,"method":"private/buy","params":{"instrument_name":"ETH_USDC-PERPETUAL","amount":0.001,"type":"limit","label":"O-1","price":2973.55,"time_in_force":"good_til_cancelled","post_only":true,"reject_post_only":true}}"#)
        var named = context
        named.requestID = "r-2"
        let sell = VenueOrder(venueClientOrderID: "O-2", symbol: try Symbol("BTC-USD-PERP"), side: .sell, type: .market,
                              price: nil, size: d("10"), timeInForce: .ioc)
        #expect(try r.placeFrame(sell, context: named).text == #"{"jsonrpc":"2.0","id":"r-2","method":"private/sell","params":{"instrument_name":"BTC-PERPETUAL","amount":10,"type":"market","label":"O-2"}}"#)
        let ioc = VenueOrder(venueClientOrderID: "O-3", symbol: try Symbol("BTC-USD-PERP"), side: .sell, type: .limit,
                             price: d("50000.5"), size: d("10"), timeInForce: .ioc)
        #expect(try r.placeFrame(ioc, context: context).text.hasSuffix(#""price":50000.5,"time_in_force":"immediate_or_cancel"}}"#))
        #expect(try r.cancelFrame(venueClientOrderID: "O-1", symbol: try Symbol("ETH-USDC-PERP"), context: context).text == #"{"jsonrpc":"2.0","id":17,"method":"private/cancel_by_label","params":{"label":"O-1"}}"#)
        #expect(try r.cancelAllFrame(symbol: nil, context: context).text == #"{"jsonrpc":"2.0","id":"all-17","method":"private/cancel_all","params":{}}"#)
        #expect(try r.cancelAllFrame(symbol: try Symbol("BTC-USD-PERP"), context: context).text == #"{"jsonrpc":"2.0","id":"all-17","method":"private/cancel_all_by_instrument","params":{"instrument_name":"BTC-PERPETUAL"}}"#)
        #expect(try r.statusFrame(venueClientOrderID: "O-1", symbol: try Symbol("ETH-USDC-PERP"), context: context).text == #"{"jsonrpc":"2.0","id":17,"method":"private/get_order_state_by_label","params":{"currency":"USDC","label":"O-1"}}"#)
        #expect(try r.statusFrame(venueClientOrderID: "O-2", symbol: try Symbol("BTC-USD-PERP"), context: context).text.contains(#""currency":"BTC""#))
    }

    fileprivate static let order = #"{"order_id":"USDC-104819327443","order_state":"open","label":"O-1","filled_amount":0.0,"average_price":0.0,"amount":0.001,"price":2973.55,"direction":"buy","post_only":true}"#

    fileprivate static let cases: [Case] = [
        Case(name: "auth ok → subscribe user.orders",
             input: #"{"jsonrpc":"2.0","id":"auth-17","result":{"access_token":"1582628593469.1MbQ-J_4.CBP-OqOwm_FBdMYj4cRK2dMXyHPfBtXGpzLxhWg31nHu3H_Q60FpE5_vqUBEQGSiMrIGzw3nC37NDLx7NC6qSTmeTBn4UoZsqlyS53ojOoZIiGrbBCcl9tsyehf3AZ4kBqxQHwkqnlv_ABRKtmi5y09Rb8TN5_LdCqdSBnsKsQaofXMZ1-YcGkgdyuKZb8Hr_FGQ1RWaYSy6cL7PJa99HHIvuqG57e-QoRrM7yjwxoWVPoFqEaBQOwnJxaQgbh4FD6NZR_Te8nAlpYFMdbwNudZTakhddDlnJXq2yIzl1DHl6UgAq0eCQGd7IGQY2PYRCj9Pow","expires_in":31536000,"refresh_token":"1582628593469.1GP4rQd0.A9Wa78o5kFRIUP49mScaD1CqHgiK50HOl2VA6kCtWa8BQZU5Dr03BhcbXPNvEh3I_MVixKZXnyoBeKJwLl8LXnfo180ckAiPj3zOclcUu4zkXuF3NNP3sTPcDf1B3C1CwMKkJ1NOcf1yPmRbsrd7hbgQ-hLa40tfx6Oa-85ymm_3Z65LZcnCeLrqlj_A9jM","scope":"connection mainaccount","token_type":"bearer"},"usIn":1582628593469,"usOut":1582628593470,"usDiff":1,"testnet":false}"#,
             expected: [.send(OutboundMessage(text: #"{"jsonrpc":"2.0","id":"sub-orders","method":"private/subscribe","params":{"channels":["user.orders.any.any.raw"]}}"#))]),
        Case(name: "auth failed: 13004 invalid_credentials",
             input: #"{"jsonrpc":"2.0","id":"auth-17","error":{"message":"invalid_credentials","code":13004},"testnet":false}"#,
             expected: [.loginFailed(reason: "code 13004: invalid_credentials")]),
        Case(name: "set_heartbeat and subscribe answers: nothing",
             input: #"{"jsonrpc":"2.0","id":"hb-17","result":"ok"}"#),
        Case(name: "subscribe answer: logged in (orders may flow)", input: #"{"jsonrpc":"2.0","id":"sub-orders","result":["user.orders.any.any.raw"]}"#,
             expected: [.loggedIn]),
        Case(name: "subscribe refused: login refused", input: #"{"jsonrpc":"2.0","id":"sub-orders","error":{"message":"unauthorized","code":13009},"testnet":false}"#,
             expected: [.loginFailed(reason: "user.orders subscription refused: code 13009: unauthorized")]),
        Case(name: "test_request → heartbeat + public/test",
             input: #"{"jsonrpc":"2.0","method":"heartbeat","params":{"type":"test_request"}}"#,
             expected: [.heartbeat, .send(OutboundMessage(text: #"{"jsonrpc":"2.0","id":"test","method":"public/test","params":{}}"#))]),
        Case(name: "public/test answer", input: #"{"jsonrpc":"2.0","id":"test","result":{"version":"1.2.26"}}"#, expected: [.heartbeat]),
        Case(name: "buy accepted (NT-DB example)",
             input: #"{"jsonrpc":"2.0","id":17,"result":{"order":\#(order),"trades":[]},"usIn":1767978363485278,"usOut":1767978363495053,"usDiff":9775,"testnet":false}"#,
             expected: [.response(requestID: "17", .accepted(VenueOrderState(venueClientOrderID: "O-1", venueOrderID: "USDC-104819327443", state: .accepted, filledSize: d("0.0"))))]),
        Case(name: "buy partially filled",
             input: #"{"jsonrpc":"2.0","id":"r-2","result":{"order":{"order_id":"1","order_state":"open","label":"O-2","filled_amount":4,"average_price":50000.5},"trades":[{"trade_id":"1"}]}}"#,
             expected: [.response(requestID: "r-2", .accepted(VenueOrderState(venueClientOrderID: "O-2", venueOrderID: "1", state: .partiallyFilled, filledSize: d("4"), averagePrice: d("50000.5"))))]),
        Case(name: "rate limited: 10028",
             input: #"{"jsonrpc":"2.0","id":18,"error":{"message":"too_many_requests","code":10028},"usIn":1,"usOut":2,"usDiff":1,"testnet":false}"#,
             expected: [.response(requestID: "18", .rejected(reason: "code 10028: too_many_requests", rateLimited: true, retryAfter: nil))]),
        Case(name: "rejected with data.reason",
             input: #"{"jsonrpc":"2.0","id":19,"error":{"message":"Invalid params","data":{"reason":"must be a multiple of contract size","param":"amount"},"code":-32602}}"#,
             expected: [.response(requestID: "19", .rejected(reason: "code -32602: Invalid params (must be a multiple of contract size)", rateLimited: false, retryAfter: nil))]),
        Case(name: "cancel by label: 1 canceled", input: #"{"jsonrpc":"2.0","id":20,"result":1}"#, expected: [.response(requestID: "20", .accepted(nil))]),
        Case(name: "cancel by label: 0 canceled = not found", input: #"{"jsonrpc":"2.0","id":21,"result":0}"#,
             expected: [.response(requestID: "21", .notFound(reason: "no open order with this label"))]),
        Case(name: "cancel all: count 0 is still accepted", input: #"{"jsonrpc":"2.0","id":"all-22","result":0}"#, expected: [.response(requestID: "22", .accepted(nil))]),
        Case(name: "status by label: filled", input: #"{"jsonrpc":"2.0","id":23,"result":[{"order_id":"9","order_state":"filled","label":"O-1","filled_amount":0.001,"average_price":2973.5}]}"#,
             expected: [.response(requestID: "23", .accepted(VenueOrderState(venueClientOrderID: "O-1", venueOrderID: "9", state: .filled, filledSize: d("0.001"), averagePrice: d("2973.5"))))]),
        Case(name: "status by label: none", input: #"{"jsonrpc":"2.0","id":24,"result":[]}"#,
             expected: [.response(requestID: "24", .notFound(reason: "no order with this label"))]),
        Case(name: "order not found error 10004", input: #"{"jsonrpc":"2.0","id":25,"error":{"message":"order_not_found","code":10004}}"#,
             expected: [.response(requestID: "25", .notFound(reason: "code 10004: order_not_found"))]),
        Case(name: "user.orders notification: cancelled / rejected",
             input: #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"user.orders.any.any.raw","data":{"order_id":"9","order_state":"cancelled","label":"O-1","filled_amount":0.0,"average_price":0.0,"cancel_reason":"user_request"}}}"#,
             expected: [.update(VenueOrderState(venueClientOrderID: "O-1", venueOrderID: "9", state: .canceled, filledSize: d("0"), reason: "user_request"))]),
        Case(name: "user.orders 100ms notification: array",
             input: #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"user.orders.BTC-PERPETUAL.100ms","data":[{"order_id":"8","order_state":"rejected","label":"O-5","filled_amount":0,"reject_reason":"post_only_reject"}]}}"#,
             expected: [.update(VenueOrderState(venueClientOrderID: "O-5", venueOrderID: "8", state: .rejected, filledSize: d("0"), reason: "post_only_reject"))]),
        Case(name: "malformed", input: #"{"jsonrpc":"2.0","id":1,"result":{"order":{"order_state":"open",}}}"#, error: .malformedJSON),
        Case(name: "unknown state", input: #"{"jsonrpc":"2.0","id":1,"result":{"order":{"order_state":"asleep"}}}"#, error: .invalidValue),
        Case(name: "no id, no method", input: #"{"jsonrpc":"2.0","result":1}"#, error: .missingField),
    ]

    @Test("parse", arguments: cases)
    fileprivate func parse(_ c: Case) throws {
        var r = try router()
        if let kind = c.error {
            #expect { _ = try r.parseOrderMessage(c.input, tsRecv: 0) } throws: { ($0 as? VenueParseError)?.kind == kind }
        } else {
            #expect(try r.parseOrderMessage(c.input, tsRecv: 0) == c.expected)
        }
    }
}
