/* SPDX-License-Identifier: MIT */
/* Reading a unit's last message from the local journal (see unit-journal.h). */
#include "system/unit-journal.h"

#include "basic/util.h"
#include "system/libsystemd.h"

int unit_last_message(const char *unit, unsigned long long since_usec, char **ret_message) {
        _cleanup_(sym_sd_journal_closep) sd_journal *j = NULL;
        int k = dlopen_libsystemd(NULL);
        if (k >= 0)
                k = sym_sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
        if (k < 0)
                return k;
        _cleanup_free_ char *match = xasprintf("_SYSTEMD_UNIT=%s", unit);
        k = sym_sd_journal_add_match(j, match, 0);
        if (k < 0)
                return k;
        k = sym_sd_journal_seek_tail(j);
        if (k < 0)
                return k;
        /* Walk back from the newest entry to the first non-empty message. */
        while ((k = sym_sd_journal_previous(j)) > 0) {
                uint64_t usec;
                if (sym_sd_journal_get_realtime_usec(j, &usec) >= 0 && usec < since_usec)
                        return 0;
                const void *data;
                size_t len;
                if (sym_sd_journal_get_data(j, "MESSAGE", &data, &len) < 0 || len <= 8)
                        continue;
                *ret_message = xstrndup((const char *) data + 8, len - 8);
                return 1;
        }
        return k;
}
