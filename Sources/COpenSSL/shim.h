// Static inline wrappers for the OpenSSL macros (and varargs helpers) that Swift cannot import.
#ifndef MARKETMUX_COPENSSL_SHIM_H
#define MARKETMUX_COPENSSL_SHIM_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <openssl/rand.h>
#include <openssl/pem.h>

/// SSL_set_tlsext_host_name is a macro over SSL_ctrl: sets the SNI name.
static inline long mm_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}

/// SSL_CTX_set_mode is a macro over SSL_CTX_ctrl.
static inline long mm_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}

/// SSL_CTX_set_min_proto_version is a macro over SSL_CTX_ctrl.
static inline long mm_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_min_proto_version(ctx, version);
}

/// SSL_CTX_set_session_cache_mode is a macro over SSL_CTX_ctrl.
static inline long mm_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_session_cache_mode(ctx, mode);
}

/// BIO_pending / BIO_ctrl_pending: bytes waiting to be read from a memory BIO.
static inline size_t mm_BIO_ctrl_pending(BIO *bio) {
    return BIO_ctrl_pending(bio);
}

/// BIO_set_mem_eof_return is a macro over BIO_ctrl: -1 makes an empty memory BIO read as "retry".
static inline long mm_BIO_set_mem_eof_return(BIO *bio, long value) {
    return BIO_set_mem_eof_return(bio, value);
}

/// SSL_CTX_add_extra_chain_cert is a macro over SSL_CTX_ctrl.
static inline long mm_SSL_CTX_add_extra_chain_cert(SSL_CTX *ctx, X509 *cert) {
    return SSL_CTX_add_extra_chain_cert(ctx, cert);
}

/// Constants that the importer sees as macros of macros.
static inline long mm_SSL_MODE_RELEASE_BUFFERS(void) { return SSL_MODE_RELEASE_BUFFERS; }
static inline long mm_SSL_MODE_ENABLE_PARTIAL_WRITE(void) { return SSL_MODE_ENABLE_PARTIAL_WRITE; }
static inline long mm_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER(void) { return SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER; }
static inline unsigned long mm_SSL_OP_IGNORE_UNEXPECTED_EOF(void) { return SSL_OP_IGNORE_UNEXPECTED_EOF; }
static inline unsigned long mm_SSL_OP_NO_COMPRESSION(void) { return SSL_OP_NO_COMPRESSION; }

/// SSL_CTX_set_max_proto_version is a macro over SSL_CTX_ctrl (tests pin TLS 1.2 with it).
static inline long mm_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_max_proto_version(ctx, version);
}

/// BIO_get_mem_data is a macro over BIO_ctrl: pointer to (and length of) the unread bytes of a memory BIO.
static inline long mm_BIO_get_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

/// BIO_tell / BIO_seek are macros over BIO_ctrl. Since OpenSSL 3.0 a memory BIO supports them, which
/// lets the engine mark sent ciphertext as consumed without copying it out (BIO_seek(tell + n)).
static inline int mm_BIO_tell(BIO *bio) {
    return BIO_tell(bio);
}
static inline int mm_BIO_seek(BIO *bio, int offset) {
    return BIO_seek(bio, offset);
}

/// SSL_get_ex_new_index is a macro over CRYPTO_get_ex_new_index: a private ex_data slot per SSL.
static inline int mm_SSL_get_ex_new_index(void) {
    return SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

/// SSL_CB_READ_ALERT is a macro of macros: info-callback "where" bit for a received alert.
static inline int mm_SSL_CB_READ_ALERT(void) { return SSL_CB_READ_ALERT; }
static inline unsigned long mm_SSL_OP_NO_TICKET(void) { return SSL_OP_NO_TICKET; }

#endif
