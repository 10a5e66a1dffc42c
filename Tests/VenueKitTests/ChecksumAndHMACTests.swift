import Testing
@testable import VenueKit

@Suite("CRC32 and HMAC")
struct ChecksumAndHMACTests {
    @Test("standard check value")
    func standard() {
        #expect(CRC32.checksum("123456789") == 0xCBF4_3926)
        #expect(CRC32.checksum("") == 0)
        // Incremental feeding across the 8-byte slices gives the same result.
        let text = Array("The quick brown fox jumps over the lazy dog".utf8)
        var crc = CRC32()
        for chunk in stride(from: 0, to: text.count, by: 5) {
            crc.update(Array(text[chunk ..< min(chunk + 5, text.count)]))
        }
        #expect(crc.value == 0x414F_A339)
        #expect(CRC32.checksum(text) == 0x414F_A339)
    }

    @Test("Kraken v2 official book vector 3310070434")
    func krakenVector() {
        // docs.kraken.com book-checksum-v2 example snapshot, top 10 asks (low→high) then bids
        // (high→low); each level: price and qty with '.' removed and leading zeros stripped.
        let asks = [("45285.2", "0.00100000"), ("45286.4", "1.54571953"), ("45286.6", "1.54571109"), ("45289.6", "1.54560911"),
                    ("45290.2", "0.15890660"), ("45291.8", "1.54553491"), ("45294.7", "0.04454749"), ("45296.1", "0.35380000"),
                    ("45297.5", "0.09945542"), ("45299.5", "0.18772827")]
        let bids = [("45283.5", "0.10000000"), ("45283.4", "1.54582015"), ("45282.1", "0.10000000"), ("45281.0", "0.10000000"),
                    ("45280.3", "1.54592586"), ("45279.0", "0.07990000"), ("45277.6", "0.03310103"), ("45277.5", "0.30000000"),
                    ("45277.3", "1.54602737"), ("45276.6", "0.15445238")]
        func fmt(_ s: String) -> String {
            let digits = s.replacingOccurrences(of: ".", with: "")
            let stripped = digits.drop { $0 == "0" }
            return stripped.isEmpty ? "0" : String(stripped)
        }
        let text = (asks + bids).map { fmt($0.0) + fmt($0.1) }.joined()
        #expect(CRC32.checksum(text) == 3_310_070_434)
    }

    @Test("OKX historical vector 831078360")
    func okxVector() {
        // bmoscon/orderbook test vector: bids 3366.1:7, asks 3366.8:9, 3368:8, 3372:8 interleaved.
        let text = "3366.1:7:3366.8:9:3368:8:3372:8"
        #expect(CRC32.checksum(text) == 831_078_360)
    }

    @Test("Binance WS-API HMAC-SHA256 example signature (VENUES §1.6 payload shape) and RFC 4231")
    func hmac() {
        // RFC 4231 test case 2.
        #expect(HMAC.hex(.sha256, secret: "Jefe", message: "what do ya want for nothing?")
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(HMAC.hex(.sha384, secret: "Jefe", message: "what do ya want for nothing?")
                == "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649")
        // RFC 4231 test case 1: key = 20 × 0x0b, "Hi There".
        let key = [UInt8](repeating: 0x0B, count: 20)
        #expect(Hex.encode(HMAC.authenticationCode(.sha256, key: key, message: Array("Hi There".utf8)))
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    }

    @Test("Binance documented signing vector")
    func binanceVector() {
        // binance-spot-api-docs web-socket-api.md HMAC example (public doc key/secret).
        let secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
        let payload = "apiKey=vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A&newOrderRespType=ACK&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT"
        let sig = HMAC.hex(.sha256, secret: secret, message: payload)
        #expect(sig.count == 64)
        #expect(sig == "cc15477742bd704c29492d96c7ead9414dfd8e0ec4a00f947bb5bb454ddbd08a")
        // The VENUES.md §1.6 payload (same request without newOrderRespType).
        let venuesPayload = payload.replacingOccurrences(of: "&newOrderRespType=ACK", with: "")
        #expect(HMAC.hex(.sha256, secret: secret, message: venuesPayload) == "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24")
    }

    @Test("base64 and hex round trips")
    func encodings() {
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode(Array("fooba".utf8)) == "Zm9vYmE=")
        #expect(Base64.encode(Array("foob".utf8)) == "Zm9vYg==")
        #expect(Base64.decode("Zm9vYg==") == Array("foob".utf8))
        #expect(Base64.decode("Zm9vYmE") == Array("fooba".utf8))
        #expect(Base64.decode("Zm9v!") == nil)
        #expect(Hex.decode("ab01") == [0xAB, 0x01])
        #expect(Hex.decode("abc") == nil)
    }
}
