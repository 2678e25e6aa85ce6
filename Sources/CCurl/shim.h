// Typed wrappers for libcurl's variadic functions, which Swift cannot call directly.
#ifndef ZISYNC_CCURL_SHIM_H
#define ZISYNC_CCURL_SHIM_H

#include <curl/curl.h>

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

#endif
