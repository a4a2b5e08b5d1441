/* SPDX-License-Identifier: MIT */
/* Command-line driver for the TOML editor, used by tests/integration/toml-oracle.sh:
 *   toml-edit-tool FILE get    TABLE KEY          print the raw value (exit 1 if absent)
 *   toml-edit-tool FILE set    TABLE KEY VALUE    print the edited file
 *   toml-edit-tool FILE remove TABLE KEY STRING   drop STRING from an array of strings, print the file
 * TABLE is written like a TOML header without brackets, e.g.
 * 'plugins."io.containerd.grpc.v1.cri".containerd' ("" is the root table).
 * Errors go to stderr with exit status 2. */
#include "basic/util.h"
#include "engine/datadir.h"
#include "formats/toml-edit.h"
#include "formats/toml-scan.h"

/* Parse TABLE with the real scanner by scanning "[TABLE]". */
static int parse_table(const char *spec, struct strv *ret) {
        struct toml_doc doc = {};
        _cleanup_free_ char *probe = xasprintf("[%s]\n", spec), *error = NULL;
        if (!*spec)
                return 0;
        if (toml_scan(probe, strlen(probe), &doc, &error) < 0 || doc.n_sections != 2) {
                fprintf(stderr, "bad table '%s': %s\n", spec, strempty(error));
                toml_doc_free(&doc);
                return -EINVAL;
        }
        _cleanup_free_ char *path = toml_doc_path(&doc, doc.sections[1].def);
        for (const char *p = path; *p;) {
                size_t n = strcspn(p, (const char[]){ TOML_SEP, 0 });
                strv_push(ret, xstrndup(p, n));
                p += n + (p[n] ? 1 : 0);
        }
        toml_doc_free(&doc);
        return 0;
}

int main(int argc, char **argv) {
        struct strv table = {};
        _cleanup_free_ char *text = NULL, *error = NULL, *raw = NULL, *out = NULL, *new_raw = NULL;
        size_t text_len = 0, out_len = 0;
        int r, status = 2;

        if (argc < 5 || (streq(argv[2], "get") ? argc != 5 : argc != 6) ||
            !(streq(argv[2], "get") || streq(argv[2], "set") || streq(argv[2], "remove"))) {
                fprintf(stderr, "usage: %s FILE get|set|remove TABLE KEY [VALUE]\n", argv[0]);
                return 2;
        }
        if ((r = read_host_file(argv[1], &text, &text_len)) < 0) {
                fprintf(stderr, "%s: %s\n", argv[1], strerror(-r));
                return 2;
        }
        if (parse_table(argv[3], &table) < 0)
                goto finish;
        const char *const *tbl = (const char *const *) table.items;
        static const char *const root[] = { NULL };
        if (!tbl)
                tbl = root;

        if (streq(argv[2], "get")) {
                unsigned line = 0;
                r = toml_get_value(text, text_len, tbl, argv[4], &raw, &line, &error);
                if (r > 0)
                        printf("%s\n", raw);
                status = r < 0 ? 2 : r > 0 ? 0 : 1;
        } else if (streq(argv[2], "set")) {
                r = toml_set_value(text, text_len, tbl, argv[4], argv[5], &out, &out_len, &error);
                if (r >= 0)
                        fwrite(r > 0 ? out : text, 1, r > 0 ? out_len : text_len, stdout);
                status = r < 0 ? 2 : 0;
        } else {
                r = toml_get_value(text, text_len, tbl, argv[4], &raw, NULL, &error);
                if (r > 0)
                        r = toml_string_array_remove(raw, argv[5], &new_raw, &error);
                if (r > 0)
                        r = toml_set_value(text, text_len, tbl, argv[4], new_raw, &out, &out_len, &error);
                if (r >= 0)
                        fwrite(r > 0 ? out : text, 1, r > 0 ? out_len : text_len, stdout);
                status = r < 0 ? 2 : 0;
        }
        if (r < 0)
                fprintf(stderr, "%s: %s\n", argv[1], error ? error : strerror(-r));
finish:
        strv_free(&table);
        return status;
}
