// Typed wrappers for libcurl's variadic functions, which Swift cannot call directly.
#ifndef ZISYNC_CCURL_SHIM_H
#define ZISYNC_CCURL_SHIM_H

#include <curl/curl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <sys/socket.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <string.h>

typedef size_t (*zs_curl_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef int (*zs_curl_xferinfo_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                                         curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode zs_curl_setopt_long(CURL *curl, CURLoption option, long value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode zs_curl_setopt_off_t(CURL *curl, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode zs_curl_setopt_string(CURL *curl, CURLoption option, const char *value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode zs_curl_setopt_pointer(CURL *curl, CURLoption option, void *value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode zs_curl_setopt_slist(CURL *curl, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode zs_curl_setopt_data_callback(CURL *curl, CURLoption option, zs_curl_data_callback cb) {
    return curl_easy_setopt(curl, option, cb);
}

static inline CURLcode zs_curl_setopt_xferinfo(CURL *curl, zs_curl_xferinfo_callback cb) {
    return curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, cb);
}

static inline CURLcode zs_curl_getinfo_long(CURL *curl, CURLINFO info, long *value) {
    return curl_easy_getinfo(curl, info, value);
}

static inline CURLcode zs_curl_getinfo_off_t(CURL *curl, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(curl, info, value);
}

/* Keeps at most `clientp` bytes not yet sent in the socket (TCP_NOTSENT_LOWAT): the kernel's send
   buffer then no longer swallows a whole body at once, so "every byte written" means "nearly every
   byte on the wire", which is when the next file's body may start. */
static inline int zs_sockopt_unsent(void *clientp, curl_socket_t fd, curlsocktype purpose) {
    (void)purpose;
    int bytes = (int)(intptr_t)clientp;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &bytes, sizeof bytes);
    return CURL_SOCKOPT_OK;
}

static inline CURLcode zs_curl_limit_unsent(CURL *curl, long bytes) {
    CURLcode rc = curl_easy_setopt(curl, CURLOPT_SOCKOPTFUNCTION, zs_sockopt_unsent);
    if (rc != CURLE_OK) return rc;
    return curl_easy_setopt(curl, CURLOPT_SOCKOPTDATA, (void *)(intptr_t)bytes);
}

static inline CURLcode zs_curl_setopt_null(CURL *curl, CURLoption option) {
    return curl_easy_setopt(curl, option, (char *)NULL);
}

/* The server's certificate must name `expected` (a `urn:zisync:satker:CODE` URI) among its
   subject alternative names, once its chain has been verified as usual: a certificate of the
   deployment CA for another office (a sibling standing in for the parent) fails the handshake. */
static inline int zs_verify_peer_names(X509_STORE_CTX *ctx, void *arg) {
    int ok = X509_verify_cert(ctx);
    if (ok <= 0) return 0; /* a verification failure, whatever OpenSSL says went wrong */
    const char *expected = (const char *)arg;
    size_t expected_length = strlen(expected);
    X509 *leaf = X509_STORE_CTX_get0_cert(ctx);
    GENERAL_NAMES *names = (GENERAL_NAMES *)X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
    int found = 0;
    for (int i = 0; names != NULL && i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *name = sk_GENERAL_NAME_value(names, i);
        if (name->type != GEN_URI) continue;
        const ASN1_IA5STRING *uri = name->d.uniformResourceIdentifier;
        if ((size_t)ASN1_STRING_length(uri) == expected_length &&
            memcmp(ASN1_STRING_get0_data(uri), expected, expected_length) == 0) {
            found = 1;
        }
    }
    GENERAL_NAMES_free(names);
    if (!found) {
        X509_STORE_CTX_set_error(ctx, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    return 1;
}

static inline CURLcode zs_ssl_context(CURL *curl, void *context, void *arg) {
    (void)curl;
    SSL_CTX_set_cert_verify_callback((SSL_CTX *)context, zs_verify_peer_names, arg);
    return CURLE_OK;
}

/* Requires the server's certificate to name `uri`, which must outlive the handle's transfers. */
static inline CURLcode zs_curl_require_peer_uri(CURL *curl, const char *uri) {
    CURLcode rc = curl_easy_setopt(curl, CURLOPT_SSL_CTX_FUNCTION, zs_ssl_context);
    if (rc != CURLE_OK) return rc;
    return curl_easy_setopt(curl, CURLOPT_SSL_CTX_DATA, (void *)uri);
}

#endif
