/// Outcome of `TLSClientEngine.readPlaintext(into:)`.
public enum TLSReadResult: Sendable, Hashable {
    /// This many plaintext bytes were written to the front of the buffer.
    case bytes(Int)
    /// Nothing more can be decrypted until more ciphertext is fed.
    case wantMore
    /// The peer ended the stream: `cleanly` with close_notify, otherwise by dropping TCP (which
    /// RFC 8446 §6.1 allows an attacker to cause: treat data after the last complete message as suspect).
    case closed(cleanly: Bool)
}
