/* SPDX-License-Identifier: MIT */
/* Kernel command lines and cmdline.txt (see kernel-cmdline.h). */
#include "formats/kernel-cmdline.h"

#include "basic/util.h"

/* The next word of [*pos, len): blanks skipped, double quotes keep blanks inside it. False at the end. */
static bool next_word(const char *s, size_t len, size_t *pos, char **ret) {
        size_t i = *pos;
        while (i < len && strchr(WHITESPACE, s[i]) && s[i])
                i++;
        if (i >= len)
                return false;
        struct buf b = {};
        bool quoted = false;
        for (; i < len && (quoted || !strchr(WHITESPACE, s[i]) || !s[i]); i++)
                if (s[i] == '"')
                        quoted = !quoted;
                else
                        buf_putc(&b, s[i]);
        *pos = i;
        *ret = buf_steal(&b);
        return true;
}

/* Whether a comma-separated list names item. */
static bool list_has(const char *list, const char *item) {
        size_t n = strlen(item);
        for (const char *p = list; *p;) {
                size_t l = strcspn(p, ",");
                if (l == n && memcmp(p, item, n) == 0)
                        return true;
                p += l + (p[l] == ',');
        }
        return false;
}

bool cmdline_param_in_effect(const char *cmdline, size_t len, const char *param) {
        const char *controller = startswith(param, "cgroup_enable=");
        const char *eq = strchr(param, '=');
        bool in_effect = false;
        char *w;
        for (size_t pos = 0; next_word(cmdline, len, &pos, &w); free(w)) {
                const char *v;
                if (controller && (v = startswith(w, "cgroup_enable=")) && list_has(v, controller))
                        in_effect = true;
                else if (controller && (v = startswith(w, "cgroup_disable=")) && list_has(v, controller))
                        in_effect = false;
                else if (!controller && eq && strncmp(w, param, (size_t) (eq - param) + 1) == 0)
                        in_effect = streq(w, param);
                else if (!controller && !eq && streq(w, param))
                        in_effect = true;
        }
        return in_effect;
}

int cmdline_txt_add(const char *text, size_t len, const char *const *params, size_t n, char **ret_text,
                    size_t *ret_len, char **ret_error) {
        int k = refuse_nul(text, len, ret_error);
        if (k < 0)
                return k;
        size_t line_len = 0, end = 0;
        if (len > 0)
                text_line(text, len, 0, &line_len, &end);
        /* After the first line only blanks may follow: a second line is not read by the firmware. */
        for (size_t i = end; i < len; i++)
                if (!strchr(WHITESPACE, text[i])) {
                        set_error(ret_error, "line %u: cmdline.txt must be a single line",
                                  line_of_offset(text, i));
                        return -EBADMSG;
                }
        size_t kept = span_rstrip(text, line_len, " \t");
        struct buf b = {};
        buf_append(&b, text, kept);
        bool added = false;
        for (size_t i = 0; i < n; i++) {
                if (cmdline_param_in_effect(text, line_len, params[i]))
                        continue;
                buf_printf(&b, "%s%s", b.len ? " " : "", params[i]);
                added = true;
        }
        if (!added) {
                buf_free(&b);
                return 0;
        }
        buf_append(&b, text + kept, len - kept);
        return buf_finish_edit(&b, text, len, ret_text, ret_len);
}
