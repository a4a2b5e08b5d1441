/* SPDX-License-Identifier: MIT */
/* Reading active swap areas from /proc/swaps (see swaps.h), with libmount's own parser. */
#include "system/swaps.h"

#include <libmount/libmount.h>

DEFINE_TRIVIAL_CLEANUP_FUNC(struct libmnt_table, mnt_unref_table);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct libmnt_iter, mnt_free_iter);

/* libmount skips a line it cannot parse unless told otherwise; a swap area missed is a swap left
 * on, so the first such line stops the parsing and is reported. */
static int stop_at_parse_error(struct libmnt_table *tb, const char *filename _unused_, int line) {
        int *bad_line = mnt_table_get_userdata(tb);
        *bad_line = line;
        return -EBADMSG;
}

int swaps_read(const char *path, struct strv *ret_areas, char **ret_error) {
        _cleanup_(mnt_unref_tablep) struct libmnt_table *tb = mnt_new_table();
        _cleanup_(mnt_free_iterp) struct libmnt_iter *iter = mnt_new_iter(MNT_ITER_FORWARD);
        int bad_line = 0;
        if (!tb || !iter)
                return -ENOMEM;
        mnt_table_set_userdata(tb, &bad_line);
        mnt_table_set_parser_errcb(tb, stop_at_parse_error);
        int k = mnt_table_parse_swaps(tb, path);
        if (bad_line > 0) {
                set_error(ret_error, "%s: cannot parse line %d", path, bad_line);
                return -EBADMSG;
        }
        if (k == -ENOENT) {
                *ret_areas = (struct strv){};
                return 0;
        }
        if (k < 0) {
                set_error(ret_error, "cannot read %s: %s", path, strerror(-k));
                return k;
        }
        struct strv areas = {};
        struct libmnt_fs *fs;
        while (mnt_table_next_fs(tb, iter, &fs) == 0)
                if (mnt_fs_get_source(fs))
                        strv_push(&areas, xstrdup(mnt_fs_get_source(fs)));
        *ret_areas = areas;
        return 0;
}

int swaps_read_active(struct strv *ret_areas, char **ret_error) {
        return swaps_read("/proc/swaps", ret_areas, ret_error);
}
