/* SPDX-License-Identifier: MIT */
/* SHA-256 (FIPS 180-4), for the backup manifest's record of the bytes a run wrote:
 * libsystemd exports none, and one small function beats a crypto library dependency. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32

void sha256(const void *data, size_t len, uint8_t ret[SHA256_DIGEST_SIZE]);
/* The digest as 64 lowercase hex digits, NUL-terminated. */
void sha256_hex(const void *data, size_t len, char ret[2 * SHA256_DIGEST_SIZE + 1]);
