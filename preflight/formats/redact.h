/* SPDX-License-Identifier: MIT */
/* Text from a tree made safe to print: the value of every key that names a
 * credential is masked, and control characters are escaped. Reports end up
 * in logs (cloud-init, CI, Ansible); the files themselves keep their bytes. */
#pragma once

#include "basic/util.h"

#define REDACTED "<redacted>"

/* Does a configuration key name a credential? The key (a YAML or TOML key,
 * an INI or shell variable, a --flag) is split into words at '-', '_', '.'
 * and where lower case turns upper, case ignored. It does when a word holds
 * password, passwd, passphrase, psk, secret or token, or is auth or pin, or
 * when it ends in key after another word (private-key, PresharedKey,
 * certificate-key, wep-key0: digits aside) or in key data (client-key-data),
 * or is ifcfg's KEY_AH_* or KEY_ESP_*; not when a word is public (PublicKey)
 * or the last word says it is about a credential rather than one: flags,
 * file, path, dir, type, mgmt, alg, name, id, mode or method (psk-flags,
 * tokenFile). */
bool redact_secret_key(const char *key, size_t len);

/* A copy of text with the value of every credential key masked, the key and
 * what separates it kept: `password: <redacted>`, `psk=<redacted>`,
 * `auth = "<redacted>"`, `"auth": "<redacted>"`, `--token=<redacted>`,
 * `--token <redacted>`. A quoted value is masked up to its closing quote, an
 * unquoted one to the end of the line (a --flag's to the next space or
 * quote); true and false stay. A value continued on the lines below (a YAML
 * block or multi-line scalar, a string whose quote closes later) is masked
 * there too. Returns a malloc'ed string. */
char *redact_text(const char *text);

/* The same for a diff_unified() diff: the lines of its hunks are masked
 * after their ' ', '-' or '+', the headers stay. A masked line no longer
 * matches the file, so patch may not apply its hunk. */
char *redact_diff(const char *diff);
/* The same a line at a time: emit gets each masked line without its newline (newline: it had one),
 * so a report prints the diff of a large file without a masked copy of all of it. */
void redact_diff_each(const char *diff,
                      void (*emit)(const char *line, size_t n, bool newline, void *userdata),
                      void *userdata);

/* Append s[0..n) with every byte below 0x20 and 0x7f as a C escape: \n, \r,
 * \t, else \xHH (\x1b). With keep_tab a tab stays a tab. A backslash stays
 * as it is. */
void buf_put_escaped(struct buf *b, const char *s, size_t n, bool keep_tab);

/* A string from the tree for text output: redact_text(), then escaped, so it
 * can neither start a report line of its own nor drive the terminal. */
char *redact_for_terminal(const char *s);
