import COpenSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A client `SSL_CTX` plus a session cache, shared by every connection with the same
/// `TLSConfiguration.contextKey`.
///
/// Building an `SSL_CTX` parses the whole trust store (hundreds of certificates), so contexts are
/// made once and shared. `SSL_CTX` is safe to share across threads once configured (OpenSSL
/// threads(7)); the session cache is guarded by a mutex, hence `@unchecked Sendable`.
public final class TLSContext: @unchecked Sendable {
    /// The `SSL_CTX *`; engines create their `SSL` from it.
    let context: OpaquePointer
    /// Whether connections verify chain and host name.
    public let verifyPeer: Bool
    private let sessionCacheCapacity: Int
    private let lock: UnsafeMutablePointer<pthread_mutex_t>
    /// Newest resumable session per cache key; each entry holds one `SSL_SESSION` reference.
    private var sessions: [String: CachedSession] = [:]
    private var nextStamp: UInt64 = 0

    private struct CachedSession {
        var session: OpaquePointer
        /// Insertion order, so the oldest entry is evicted when the cache is full.
        var stamp: UInt64
    }

    /// Builds the `SSL_CTX` for `configuration`'s context fields (`configuration.contextKey`).
    ///
    /// Throws `TLSError.Code.badCAFile` if `caFile` cannot be loaded.
    public init(configuration: TLSConfiguration) throws(TLSError) {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw TLSError.internalError("SSL_CTX_new")
        }
        // From here on `self` owns `context`: a throwing init still runs deinit for a fully
        // initialized class, so initialize every stored property before the first throw.
        self.context = context
        self.verifyPeer = configuration.verifyPeer
        self.sessionCacheCapacity = max(0, configuration.sessionCacheCapacity)
        self.lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(lock, nil)

        let minimum = configuration.minimumVersion == .tls13 ? TLS1_3_VERSION : TLS1_2_VERSION
        guard mm_SSL_CTX_set_min_proto_version(context, minimum) == 1 else {
            throw TLSError.internalError("SSL_CTX_set_min_proto_version")
        }
        // SSL_OP_IGNORE_UNEXPECTED_EOF: many venues drop TCP without close_notify; OpenSSL 3 would
        // otherwise report that as a fatal SSL error. The engine still tells the two apart (it
        // watches for the close_notify alert itself). No compression: CRIME (CVE-2012-4929).
        SSL_CTX_set_options(context, UInt64(mm_SSL_OP_IGNORE_UNEXPECTED_EOF() | mm_SSL_OP_NO_COMPRESSION()))
        // SSL_MODE_RELEASE_BUFFERS stays off (the OpenSSL 3 default): freeing and re-allocating the
        // 16 KiB record buffers between reads costs more than the memory saved on a busy feed.
        // SSL_MODE_AUTO_RETRY (default on) lets SSL_read skip over post-handshake messages.

        if configuration.verifyPeer {
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
            if configuration.trustsSystemStore {
                // Best effort: a missing system store only matters if no caFile is given either,
                // and then verification reports "unable to get local issuer certificate".
                _ = SSL_CTX_set_default_verify_paths(context)
                ERR_clear_error()
            }
        } else {
            SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        }
        if let caFile = configuration.caFile {
            guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else {
                throw TLSError.badCAFile(path: caFile,
                                         detail: TLSError.drainOpenSSLErrors(or: "no certificates loaded"))
            }
        }

        // Client-side cache only, kept by us (NO_INTERNAL_STORE): OpenSSL's internal cache is
        // keyed by session id, which a client cannot look up by host:port (SSL_CTX_set_session_cache_mode(3)).
        _ = mm_SSL_CTX_set_session_cache_mode(context, Int(SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE))
        SSL_CTX_sess_set_new_cb(context, tlsContextNewSessionCallback)
    }

    deinit {
        for entry in sessions.values { SSL_SESSION_free(entry.session) }
        SSL_CTX_free(context)
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    /// Cache key for an endpoint: sessions are only valid for the server that issued them.
    public static func cacheKey(host: String, port: Int) -> String {
        "\(host):\(port)"
    }

    /// Number of endpoints with a cached session.
    public var cachedSessionCount: Int {
        withLock { sessions.count }
    }

    /// Whether a resumable session is cached for `key`.
    public func hasCachedSession(forKey key: String) -> Bool {
        withLock { sessions[key] != nil }
    }

    /// Forgets the session for `key`, e.g. after the server rejected it or changed identity.
    public func removeCachedSession(forKey key: String) {
        let removed = withLock { sessions.removeValue(forKey: key) }
        if let removed { SSL_SESSION_free(removed.session) }
    }

    /// Forgets every cached session.
    public func removeAllCachedSessions() {
        let removed = withLock {
            let all = sessions
            sessions.removeAll()
            return all
        }
        for entry in removed.values { SSL_SESSION_free(entry.session) }
    }

    /// Takes ownership of one reference to `session` and makes it the newest for `key`.
    /// Returns false (ownership stays with the caller) if caching is disabled.
    func storeSession(_ session: OpaquePointer, forKey key: String) -> Bool {
        guard sessionCacheCapacity > 0 else { return false }
        var evicted: [OpaquePointer] = []
        withLock {
            nextStamp &+= 1
            let entry = CachedSession(session: session, stamp: nextStamp)
            if let old = sessions.updateValue(entry, forKey: key) {
                evicted.append(old.session)
            } else if sessions.count > sessionCacheCapacity {
                // Linear scan is fine: it runs once per new endpoint, and capacity is a few hundred.
                if let oldest = sessions.min(by: { $0.value.stamp < $1.value.stamp }) {
                    sessions.removeValue(forKey: oldest.key)
                    evicted.append(oldest.value.session)
                }
            }
        }
        // Free outside the lock: SSL_SESSION_free may run callbacks and take OpenSSL locks.
        for old in evicted { SSL_SESSION_free(old) }
        return true
    }

    /// The newest session for `key` with an extra reference the caller must release
    /// (`SSL_SESSION_free`), or nil.
    func copySession(forKey key: String) -> OpaquePointer? {
        withLock {
            guard let session = sessions[key]?.session else { return nil }
            // Up-ref under the lock: another thread may replace and free the entry right after.
            SSL_SESSION_up_ref(session)
            return session
        }
    }

    private func withLock<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return body()
    }
}

/// `SSL_CTX_sess_set_new_cb` callback: OpenSSL hands us a new client session (after a full TLS 1.2
/// handshake, or per TLS 1.3 NewSessionTicket, RFC 8446 §4.6.1) with one reference already taken
/// for us. Returning 1 keeps that reference; 0 makes OpenSSL release it.
private func tlsContextNewSessionCallback(_ ssl: OpaquePointer?, _ session: OpaquePointer?) -> Int32 {
    guard let ssl, let session, let engine = TLSClientEngine.engine(for: ssl),
          SSL_SESSION_is_resumable(session) == 1
    else { return 0 }
    return engine.context.storeSession(session, forKey: engine.cacheKey) ? 1 : 0
}
