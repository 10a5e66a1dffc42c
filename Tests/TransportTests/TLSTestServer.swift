// Test-only in-process TLS server over memory BIOs (SSL_accept side), so engine tests need no sockets.
import COpenSSL
import Foundation

/// Paths of the fixtures made by scripts/make-test-certs.sh.
enum TestCertificates {
    static let directory: String = Bundle.module.url(forResource: "Certificates", withExtension: nil)?.path ?? "Certificates"

    static func path(_ name: String) -> String { directory + "/" + name }

    static var caFile: String { path("ca.pem") }
}

struct TLSTestServerError: Error, CustomStringConvertible {
    var description: String
}

/// A server `SSL_CTX`: certificate, ALPN preferences, protocol cap. Share one between connections
/// to let the second resume (same ticket keys and session-id cache).
final class TLSTestServerContext: @unchecked Sendable {  // immutable after init; OpenSSL allows sharing a configured SSL_CTX across threads
    let context: OpaquePointer
    /// Protocols the server accepts, in wire format (RFC 7301 §3.1).
    let alpnWire: [UInt8]

    init(certificate: String = "server.pem", key: String = "server-key.pem", maxVersion: Int32? = nil,
         disableTickets: Bool = false, alpn: [String] = ["http/1.1"]) throws {
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw TLSTestServerError(description: "SSL_CTX_new failed")
        }
        self.context = context
        self.alpnWire = alpn.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
        guard SSL_CTX_use_certificate_chain_file(context, TestCertificates.path(certificate)) == 1,
              SSL_CTX_use_PrivateKey_file(context, TestCertificates.path(key), SSL_FILETYPE_PEM) == 1
        else {
            throw TLSTestServerError(description: "cannot load \(certificate)/\(key) from \(TestCertificates.directory)")
        }
        if let maxVersion { _ = mm_SSL_CTX_set_max_proto_version(context, maxVersion) }
        if disableTickets { SSL_CTX_set_options(context, UInt64(mm_SSL_OP_NO_TICKET())) }
        let sessionIDContext = Array("marketmux-test".utf8)
        _ = SSL_CTX_set_session_id_context(context, sessionIDContext, UInt32(sessionIDContext.count))
        SSL_CTX_set_alpn_select_cb(context, testServerSelectALPN, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit { SSL_CTX_free(context) }
}

/// ALPN selection: the first client protocol the server also supports; none → no ALPN (NOACK).
private func testServerSelectALPN(
    _ ssl: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, _ outLength: UnsafeMutablePointer<UInt8>?,
    _ input: UnsafePointer<UInt8>?, _ inputLength: UInt32, _ argument: UnsafeMutableRawPointer?
) -> Int32 {
    guard let out, let outLength, let input, let argument else { return SSL_TLSEXT_ERR_NOACK }
    let server = Unmanaged<TLSTestServerContext>.fromOpaque(argument).takeUnretainedValue()
    let supported = TLSTestServer.names(inWireFormat: server.alpnWire)
    var offset = 0
    while offset < Int(inputLength) {
        let length = Int(input[offset])
        let name = Array(UnsafeBufferPointer(start: input + offset + 1, count: length))
        if supported.contains(name) {
            out.pointee = input + offset + 1
            outLength.pointee = UInt8(length)
            return SSL_TLSEXT_ERR_OK
        }
        offset += 1 + length
    }
    return SSL_TLSEXT_ERR_NOACK
}

/// One server-side connection.
final class TLSTestServer {
    let serverContext: TLSTestServerContext
    private let ssl: OpaquePointer
    private let input: OpaquePointer
    private let output: OpaquePointer
    private(set) var isHandshakeComplete = false
    private(set) var failure: String?
    /// Plaintext received from the client.
    var received: [UInt8] = []
    /// Whether the client's close_notify arrived.
    private(set) var receivedCloseNotify = false

    init(context: TLSTestServerContext) {
        serverContext = context
        ssl = SSL_new(context.context)
        input = BIO_new(BIO_s_mem())
        output = BIO_new(BIO_s_mem())
        _ = mm_BIO_set_mem_eof_return(input, -1)
        _ = mm_BIO_set_mem_eof_return(output, -1)
        SSL_set_bio(ssl, input, output)
        SSL_set_accept_state(ssl)
    }

    deinit { SSL_free(ssl) }

    static func names(inWireFormat wire: [UInt8]) -> [[UInt8]] {
        var names: [[UInt8]] = []
        var offset = 0
        while offset < wire.count {
            let length = Int(wire[offset])
            names.append(Array(wire[(offset + 1)..<(offset + 1 + length)]))
            offset += 1 + length
        }
        return names
    }

    /// SNI the client sent, if any.
    var requestedServerName: String? {
        SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name).map { String(cString: $0) }
    }

    var negotiatedALPN: String? {
        var name: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &name, &length)
        guard let name, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: name, count: Int(length)), as: UTF8.self)
    }

    var isSessionReused: Bool { SSL_session_reused(ssl) == 1 }

    func feed(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        _ = bytes.withUnsafeBytes { BIO_write(input, $0.baseAddress, Int32($0.count)) }
    }

    func takeCiphertext() -> [UInt8] {
        let count = Int(mm_BIO_ctrl_pending(output))
        guard count > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { BIO_read(output, $0.baseAddress, Int32(count)) }
        return Array(bytes.prefix(Int(max(read, 0))))
    }

    /// Advances the handshake, then reads whatever plaintext is available into `received`.
    func step() {
        guard failure == nil else { return }
        ERR_clear_error()
        if !isHandshakeComplete {
            let result = SSL_do_handshake(ssl)
            if result == 1 {
                isHandshakeComplete = true
            } else {
                let error = SSL_get_error(ssl, result)
                if error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE {
                    failure = "server handshake error \(error)"
                    ERR_clear_error()
                }
                return
            }
        }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            var count = 0
            let result = SSL_read_ex(ssl, chunk.baseAddress, chunk.count, &count)
            if result == 1 {
                received.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk.prefix(count)))
                continue
            }
            if SSL_get_error(ssl, result) == SSL_ERROR_ZERO_RETURN { receivedCloseNotify = true }
            ERR_clear_error()
            return
        }
    }

    func write(_ bytes: [UInt8]) throws {
        var written = 0
        let result = bytes.withUnsafeBytes { SSL_write_ex(ssl, $0.baseAddress, $0.count, &written) }
        guard result == 1 else { throw TLSTestServerError(description: "server SSL_write failed") }
    }

    /// Queues the server's close_notify alert.
    func sendCloseNotify() {
        _ = SSL_shutdown(ssl)
    }
}
