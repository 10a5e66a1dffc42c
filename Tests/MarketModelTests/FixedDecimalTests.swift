import Testing
@testable import MarketModel

@Suite("FixedDecimal")
struct FixedDecimalTests {
    static let parseTable: [(String, Int64, UInt8)] = [
        ("0.35170000", 35_170_000, 8),
        ("50000.1", 500_001, 1),
        ("50000.10", 5_000_010, 2),
        ("1.7023900800000002", 17_023_900_800_000_002, 16),
        ("-0.5", -5, 1),
        ("1e-8", 1, 8),
        ("2.5E-7", 25, 8),
        ("7e-7", 7, 7),
        ("1E+3", 1000, 0),
        ("12e2", 1200, 0),
        ("0", 0, 0),
        ("0.000", 0, 3),
        ("-0", 0, 0),
        ("007.50", 750, 2),
        ("45281.0", 452_810, 1),
        ("9223372036854775807", Int64.max, 0),
        ("-9223372036854775807", -Int64.max, 0),
        ("0.000000000000000001", 1, 18),
        // Trailing fractional zeros beyond capacity are dropped exactly.
        ("1.0000000000000000000000", 1_000_000_000_000_000_000, 18),
        ("92233720368547758.070", 9_223_372_036_854_775_807, 2),
    ]

    @Test("parses venue text keeping digits and scale", arguments: parseTable)
    func parse(text: String, mantissa: Int64, scale: UInt8) throws {
        let d = try FixedDecimal(parsing: text)
        #expect(d.mantissa == mantissa)
        #expect(d.scale == scale)
    }

    static let errorTable: [(String, FixedDecimalError)] = [
        ("", .empty),
        ("-", .missingDigits(offset: 1)),
        (".5", .invalidCharacter(offset: 0)),
        ("5.", .missingDigits(offset: 2)),
        ("1.2.3", .invalidCharacter(offset: 3)),
        ("abc", .invalidCharacter(offset: 0)),
        ("+1", .invalidCharacter(offset: 0)),
        ("1e", .missingDigits(offset: 2)),
        ("1ex", .invalidCharacter(offset: 2)),
        ("9223372036854775808", .overflow),
        ("12345678901234567890", .overflow),
        ("1e19", .overflow),
        ("1e-19", .scaleTooLarge),
        ("0.0000000000000000001", .scaleTooLarge),
        ("1 ", .invalidCharacter(offset: 1)),
    ]

    @Test("rejects malformed or overflowing text", arguments: errorTable)
    func parseErrors(text: String, expected: FixedDecimalError) {
        #expect(throws: expected) { try FixedDecimal(parsing: text) }
    }

    @Test("round-trips the venue's text")
    func renderRoundTrip() throws {
        for text in ["0.35170000", "50000.1", "50000.10", "-0.5", "0", "0.000", "45281.0", "1.7023900800000002", "0.00000500"] {
            #expect(try FixedDecimal(parsing: text).description == text)
        }
        #expect(try FixedDecimal(parsing: "1e-8").description == "0.00000001")
        #expect(try FixedDecimal(parsing: "2.5E-7").description == "0.00000025")
        #expect(try FixedDecimal(parsing: "1E+3").description == "1000")
    }

    @Test("equality, hashing and ordering ignore scale")
    func numericSemantics() throws {
        let a = try FixedDecimal(parsing: "1.50")
        let b = try FixedDecimal(parsing: "1.5")
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(Set([a, b]).count == 1)
        #expect(try FixedDecimal(parsing: "1.49") < b)
        #expect(try FixedDecimal(parsing: "-2") < FixedDecimal(parsing: "-1.999999"))
        #expect(try FixedDecimal(parsing: "100") > FixedDecimal(parsing: "99.9999999999999999"))
        #expect(FixedDecimal.compare(try FixedDecimal(parsing: "2.000"), try FixedDecimal(parsing: "2")) == 0)
        #expect(try FixedDecimal(parsing: "0.000").isZero)
        #expect(try FixedDecimal(parsing: "9223372036854775807") > FixedDecimal(parsing: "0.000000000000000001"))
    }

    @Test("arithmetic is exact or nil")
    func arithmetic() throws {
        let a = try FixedDecimal(parsing: "0.1")
        let b = try FixedDecimal(parsing: "0.25")
        #expect(a.adding(b)?.description == "0.35")
        #expect(a.subtracting(b)?.description == "-0.15")
        #expect(a.negated.description == "-0.1")
        #expect(a.negated.magnitude == a)
        #expect(b.multiplied(by: FixedDecimal(4))?.normalized.description == "1")
        #expect(FixedDecimal(mantissa: Int64.max).adding(FixedDecimal(1)) == nil)
        #expect(try FixedDecimal(parsing: "1.500").normalized.description == "1.5")
    }

    static let jsTable: [(String, String)] = [
        ("7e-7", "7e-7"), ("6.6e-7", "6.6e-7"), ("1e-8", "1e-8"), ("0.000001", "0.000001"),
        ("0.00000121", "0.00000121"), ("0.0000886", "0.0000886"), ("1000", "1000"), ("3630.3", "3630.3"),
        ("-481.8549041", "-481.8549041"), ("1.50", "1.5"), ("0.0000001", "1e-7"), ("2.5E-7", "2.5e-7"), ("0", "0"),
        ("-0.000000123", "-1.23e-7"), ("1.7023900800000002", "1.7023900800000002"),
    ]

    @Test("renders JavaScript Number form for Bitfinex", arguments: jsTable)
    func javaScriptForm(text: String, expected: String) throws {
        var out: [UInt8] = []
        try FixedDecimal(parsing: text).writeJavaScriptForm(into: &out)
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }

    @Test("renders Kraken checksum digits")
    func krakenDigits() throws {
        for (text, expected) in [("45285.2", "452852"), ("0.00100000", "100000"), ("45281.0", "452810"), ("0.05005", "5005"), ("0", "0")] {
            var out: [UInt8] = []
            try FixedDecimal(parsing: text).writeKrakenChecksumDigits(into: &out)
            #expect(String(decoding: out, as: UTF8.self) == expected)
        }
    }
}
