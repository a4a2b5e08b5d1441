/* SPDX-License-Identifier: MIT */
/* Test driver for the fstab editor: fstab-edit-tool FILE writes the edited text to stdout.
 * Exit 0 unchanged (the input is echoed), 1 changed, 2 refused or failed (message on stderr). */
#include "engine/datadir.h"
#include "formats/fstab-edit.h"

int main(int argc, char **argv) {
        _cleanup_free_ char *text = NULL, *edited = NULL, *error = NULL;
        struct strv entries = {};
        size_t len = 0, edited_len = 0;
        int r;

        if (argc != 2) {
                fprintf(stderr, "usage: %s FSTAB\n", argv[0]);
                return 2;
        }
        r = read_host_file(argv[1], &text, &len);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", argv[1], strerror(-r));
                return 2;
        }
        r = fstab_comment_swap_entries(text, len, &edited, &edited_len, &entries, &error);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", argv[1], error ? error : strerror(-r));
                return 2;
        }
        if (r == 0) {
                fwrite(text, 1, len, stdout);
                return 0;
        }
        fwrite(edited, 1, edited_len, stdout);
        for (size_t i = 0; i < entries.n; i++)
                fprintf(stderr, "commented swap entry: %s\n", entries.items[i]);
        strv_free(&entries);
        return 1;
}
