// The national algorithms (SM2, SM3, SM4) and HMAC from the system OpenSSL 3
// libcrypto: EvalPlatform/Crypto wraps these for the adapter definitions.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
