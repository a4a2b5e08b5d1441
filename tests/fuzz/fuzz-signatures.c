/* SPDX-License-Identifier: MIT */
/* Fuzz target for diagnose's signature database and matcher. The first byte chooses:
 *  even: the input is a database text for signature_db_parse;
 *  odd:  the input is a log message, matched against the shipped profiles/signatures.yaml.
 * Properties, each true for a correct parser and matcher:
 *  - a refused database gives a "s.yaml:LINE: reason" message and leaves the output zeroed;
 *  - a parsed one has, for every signature, an id (unique), a fixer, an explanation and as many
 *    compiled regexes as patterns;
 *  - the match is the FIRST signature in file order any of whose regexes matches the message,
 *    or -ENOENT when none does (checked against regexec itself), and matching twice gives the
 *    same answer;
 *  - no leak (ASan/LeakSanitizer), also for a database refused halfway. */
#include <errno.h>
#include <regex.h>

#include "fuzz-common.h"

#include "basic/util.h"
#include "diagnose/signatures.h"

static bool signature_matches(const struct signature *s, const char *msg) {
        for (size_t i = 0; i < s->patterns.n; i++)
                if (regexec(&s->regexes[i], msg, 0, NULL, 0) == 0)
                        return true;
        return false;
}

static void check_match(const struct signature_db *db, const char *msg) {
        int m = signature_db_match(db, msg);
        CHECK(m == -ENOENT || (m >= 0 && (size_t) m < db->n), "match returned %d of %zu", m, db->n);
        size_t upto = m == -ENOENT ? db->n : (size_t) m;
        for (size_t i = 0; i < upto; i++)
                CHECK(!signature_matches(&db->items[i], msg),
                      "signature %zu (%s) matches but %d was returned", i, db->items[i].id, m);
        if (m >= 0)
                CHECK(signature_matches(&db->items[m], msg), "returned %d (%s), which does not match", m,
                      db->items[m].id);
        CHECK(signature_db_match(db, msg) == m, "matching twice differs");
}

static void fuzz_database(const char *text, size_t len) {
        struct signature_db db = {};
        char *err = NULL;
        int r = signature_db_parse("s.yaml", text, len, &db, &err);
        if (r < 0) {
                CHECK(err && strncmp(err, "s.yaml:", 7) == 0,
                      "refused (%d) without a \"s.yaml:LINE:\" message: %s", r, err ? err : "(null)");
                CHECK(db.n == 0 && !db.items && !db.path, "a refused database filled the output");
                free(err);
                return;
        }
        CHECK(!err, "success with a message: %s", err);
        for (size_t i = 0; i < db.n; i++) {
                const struct signature *s = &db.items[i];
                CHECK(s->id && s->fixer && s->explanation && s->patterns.n > 0 && s->regexes,
                      "signature %zu incomplete", i);
                for (size_t j = 0; j < i; j++)
                        CHECK(!streq(db.items[j].id, s->id), "duplicate id %s accepted", s->id);
        }
        /* The database must also match safely, e.g. against its own text. */
        char *msg = xstrndup(text, len);
        check_match(&db, msg);
        free(msg);
        signature_db_free(&db);
}

static void fuzz_message(const char *text, size_t len) {
        static struct signature_db shipped;
        static bool loaded;
        if (!loaded) {
                char *err = NULL;
                CHECK(signature_db_load(&shipped, &err) >= 0, "cannot load the shipped database: %s",
                      err ? err : "?");
                loaded = true;
        }
        /* A message is one C string, as the journal and text readers give it. */
        char *msg = xstrndup(text, strnlen(text, len));
        check_match(&shipped, msg);
        free(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t sel[1];
        struct fuzz_input in = fuzz_split(data, size, 1, sel);
        if (sel[0] % 2 == 0)
                fuzz_database(in.text, in.len);
        else
                fuzz_message(in.text, in.len);
        free(in.text);
        return 0;
}
