/* mbedTLS 2.28 configuration for utkit on a Cortex-M (MBEDTLS_CONFIG_FILE).
 *
 * Only what the TS 33.141 profile and the SDK use:
 *   - a TLS client, TLS 1.0 to 1.2, RSA key exchange with the profile's four
 *     suites: 3DES-EDE-CBC-SHA, RC4-128-SHA, AES-128-CBC-SHA, AES-256-CBC-SHA;
 *   - X.509 server authentication (RSA, SHA-1/256/384/512 signatures), PEM;
 *   - session resumption by session id, SNI, max fragment length, truncated
 *     HMAC (RFC 3546), 4 KiB record buffers;
 *   - AES for Milenage, MD5/SHA-1/SHA-256 and HMAC for Digest, GBA's KDF
 *     and the SDK's caches, CTR_DRBG fed by the platform's entropy;
 *   - no file system, no sockets, no threads, no timing module, no server.
 * The platform supplies time() for certificate validity (newlib: the
 * _gettimeofday system call; semihosting in the emulator).
 */
#ifndef UTKIT_MBEDTLS_CONFIG_H
#define UTKIT_MBEDTLS_CONFIG_H

/* System */
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_DEPRECATED_REMOVED

/* Ciphers and hashes */
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES
#define MBEDTLS_AES_FEWER_TABLES
#define MBEDTLS_DES_C
#define MBEDTLS_ARC4_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_CIPHER_MODE_CBC
#define MBEDTLS_MD_C
#define MBEDTLS_MD5_C
#define MBEDTLS_SHA1_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER
#define MBEDTLS_SHA512_C
#define MBEDTLS_CTR_DRBG_C

/* Public keys and certificates */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_OID_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_CHECK_KEY_USAGE          /* a server certificate must allow key encipherment */
#define MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE /* ... and serverAuth when it has extendedKeyUsage */
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_BASE64_C

/* TLS client */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1
#define MBEDTLS_SSL_PROTO_TLS1_1
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_KEY_EXCHANGE_RSA_ENABLED
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE  /* TlsInfo reports the server's certificate */
#define MBEDTLS_SSL_CBC_RECORD_SPLITTING   /* 1/n-1 split: TLS 1.0 with CBC is in the profile */
#define MBEDTLS_SSL_ALL_ALERT_MESSAGES
#define MBEDTLS_SSL_MAX_FRAGMENT_LENGTH
#define MBEDTLS_SSL_TRUNCATED_HMAC
#define MBEDTLS_SSL_ENCRYPT_THEN_MAC
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_SESSION_TICKETS
#define MBEDTLS_SSL_RENEGOTIATION
#define MBEDTLS_SSL_CIPHERSUITES                                             \
  MBEDTLS_TLS_RSA_WITH_AES_128_CBC_SHA, MBEDTLS_TLS_RSA_WITH_AES_256_CBC_SHA, \
      MBEDTLS_TLS_RSA_WITH_3DES_EDE_CBC_SHA, MBEDTLS_TLS_RSA_WITH_RC4_128_SHA
#define MBEDTLS_SSL_IN_CONTENT_LEN 4096
#define MBEDTLS_SSL_OUT_CONTENT_LEN 4096

/* Error texts (the SDK's messages name mbedTLS's reason) */
#define MBEDTLS_ERROR_C

#include "mbedtls/check_config.h"

#endif /* UTKIT_MBEDTLS_CONFIG_H */
