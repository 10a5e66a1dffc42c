/// A WebSocket frame opcode (RFC 6455 §5.2).
public struct WebSocketOpcode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 4-bit opcode value.
    public let rawValue: UInt8

    /// Creates an opcode from its 4-bit value.
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue & 0x0F }

    /// Continuation of a fragmented message.
    public static let continuation = WebSocketOpcode(rawValue: 0x0)
    /// A UTF-8 text message.
    public static let text = WebSocketOpcode(rawValue: 0x1)
    /// A binary message.
    public static let binary = WebSocketOpcode(rawValue: 0x2)
    /// Connection close.
    public static let close = WebSocketOpcode(rawValue: 0x8)
    /// Ping.
    public static let ping = WebSocketOpcode(rawValue: 0x9)
    /// Pong.
    public static let pong = WebSocketOpcode(rawValue: 0xA)

    /// Control frames have the high bit of the opcode set (RFC 6455 §5.5).
    @inlinable public var isControl: Bool { rawValue & 0x8 != 0 }

    /// Opcodes 3-7 and 0xB-0xF are reserved and must fail the connection (RFC 6455 §5.2).
    @inlinable public var isReserved: Bool {
        switch rawValue {
        case 0x0, 0x1, 0x2, 0x8, 0x9, 0xA: return false
        default: return true
        }
    }

    /// A readable name for logs and errors.
    public var description: String {
        switch rawValue {
        case 0x0: return "continuation"
        case 0x1: return "text"
        case 0x2: return "binary"
        case 0x8: return "close"
        case 0x9: return "ping"
        case 0xA: return "pong"
        default: return "reserved(0x\(String(rawValue, radix: 16)))"
        }
    }
}
