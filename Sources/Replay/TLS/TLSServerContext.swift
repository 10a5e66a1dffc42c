import COpenSSL

/// The server `SSL_CTX` of the simulated venue: certificate chain and key from PEM files, TLS 1.2+,
/// ALPN `http/1.1`, a session-id context so clients can resume. Shared by every connection.
public final class TLSServerContext: @unchecked Sendable {
    /// The `SSL_CTX *`.
    let context: OpaquePointer
    /// The certificate chain file.
    public let certificatePath: String

    /// Loads `certificatePath` (leaf first, then intermediates) and `privateKeyPath` (PEM).
    public init(certificatePath: String, privateKeyPath: String) throws(ReplayError) {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_server_method()) else { throw .tls("SSL_CTX_new failed") }
        self.context = context
        self.certificatePath = certificatePath
        guard SSL_CTX_use_certificate_chain_file(context, certificatePath) == 1 else {
            throw .tls("cannot load the TLS certificate '\(certificatePath)': \(Self.drainErrors())")
        }
        guard SSL_CTX_use_PrivateKey_file(context, privateKeyPath, SSL_FILETYPE_PEM) == 1 else {
            throw .tls("cannot load the TLS key '\(privateKeyPath)': \(Self.drainErrors())")
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw .tls("the key '\(privateKeyPath)' does not match the certificate '\(certificatePath)'")
        }
        _ = mm_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION)
        // No TLS compression (CRIME); tolerate clients that drop TCP without close_notify.
        SSL_CTX_set_options(context, UInt64(mm_SSL_OP_NO_COMPRESSION() | mm_SSL_OP_IGNORE_UNEXPECTED_EOF()))
        let sessionIDContext = Array("marketmux-simulator".utf8)
        _ = SSL_CTX_set_session_id_context(context, sessionIDContext, UInt32(sessionIDContext.count))
        SSL_CTX_set_alpn_select_cb(context, simulatorSelectALPN, nil)
        ERR_clear_error()
    }

    deinit { SSL_CTX_free(context) }

    static func drainErrors() -> String {
        var messages: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return messages.isEmpty ? "unknown OpenSSL error" : messages.joined(separator: "; ")
    }
}

/// ALPN (RFC 7301): pick `http/1.1` if the client offers it (WebSocket runs over HTTP/1.1, RFC 6455
/// §4.1); otherwise answer without ALPN rather than fail the handshake.
private func simulatorSelectALPN(
    _ ssl: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, _ outLength: UnsafeMutablePointer<UInt8>?,
    _ input: UnsafePointer<UInt8>?, _ inputLength: UInt32, _ argument: UnsafeMutableRawPointer?
) -> Int32 {
    guard let out, let outLength, let input else { return SSL_TLSEXT_ERR_NOACK }
    let wanted = Array("http/1.1".utf8)
    var offset = 0
    while offset < Int(inputLength) {
        let length = Int(input[offset])
        guard offset + 1 + length <= Int(inputLength) else { break }
        if Array(UnsafeBufferPointer(start: input + offset + 1, count: length)) == wanted {
            out.pointee = input + offset + 1
            outLength.pointee = UInt8(length)
            return SSL_TLSEXT_ERR_OK
        }
        offset += 1 + length
    }
    return SSL_TLSEXT_ERR_NOACK
}
