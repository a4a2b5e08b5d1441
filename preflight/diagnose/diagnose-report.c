/* SPDX-License-Identifier: MIT */
/* What `diagnose` prints: each problem once, how often and when it was last
 * seen, why it happens, the command that fixes it and what check says; as
 * text or as JSON. */
#include <cjson/cJSON.h>

#include "basic/time-util.h"
#include "diagnose/diagnose.h"
#include "engine/report.h"
#include "formats/redact.h"

/* Long messages (a kubelet error with a whole /proc/swaps in it) are cut in
 * text output; JSON keeps them whole. */
#define MESSAGE_WIDTH 200

static const char *check_verdict(const struct problem *p) {
        switch (p->check_status) {
        case STATUS_DRIFT:
                return "check agrees: drift";
        case STATUS_OK:
        case STATUS_CHANGED:
                return "check finds nothing";
        case STATUS_SKIPPED:
                return "check skipped";
        case STATUS_ERROR:
        case _STATUS_MAX:
                break;
        }
        return "check failed";
}

/* "3 times, last 2024-06-03 08:01:40", "once, last on line 12 (Jun 28 11:20:54)" */
static char *seen_text(const struct problem *p) {
        _cleanup_free_ char *when = NULL;
        if (p->last_line)
                when = p->last_stamp ? xasprintf("on line %u (%s)", p->last_line, p->last_stamp)
                                     : xasprintf("on line %u", p->last_line);
        else
                when = format_timestamp(p->last_usec, false);
        return p->count == 1 ? xasprintf("once, %s", when) : xasprintf("%u times, last %s", p->count, when);
}

/* Log text goes to a terminal and into logs: credentials masked and control
 * characters escaped as in the report (an escape sequence in a message must
 * not drive the terminal); a tab becomes a space. */
static void put_message(const char *s, size_t width) {
        _cleanup_free_ char *masked = redact_text(s);
        size_t n = strlen(masked);
        for (char *t = masked; (t = strchr(t, '\t'));)
                *t = ' ';
        struct buf b = {};
        buf_put_escaped(&b, masked, n < width ? n : width, false);
        fputs(strempty(b.data), stdout);
        if (n > width)
                fputs("...", stdout);
        buf_free(&b);
}

static void print_text(const struct diagnosis *d) {
        bool quiet = d->opts->verbosity < 0;
        if (!quiet) {
                printf("Read %u entr%s from %s", d->log.n_entries, d->log.n_entries == 1 ? "y" : "ies",
                       d->log.description);
                if (d->kubelet_version)
                        printf(" (kubelet %s)", d->kubelet_version);
                puts(".");
        }
        for (size_t i = 0; i < d->n_problems; i++) {
                const struct problem *p = &d->problems[i];
                _cleanup_free_ char *seen = seen_text(p);
                printf("[%s] %s\n", p->sig->id, seen);
                printf("    %s\n", p->sig->explanation);
                printf("    fix: %s\n", p->command);
                _cleanup_free_ char *check = redact_for_terminal(strempty(p->check_message));
                if (p->checked)
                        printf("    %s%s%s%s\n", check_verdict(p), *check ? " (" : "", check,
                               *check ? ")" : "");
                if (!quiet) {
                        fputs("    last: ", stdout);
                        put_message(p->last_message, MESSAGE_WIDTH);
                        putchar('\n');
                }
        }
        if (d->n_problems)
                printf("%zu known problem%s found.\n", d->n_problems, d->n_problems == 1 ? "" : "s");
        else
                printf("No known problem found.\n");
}

static void print_json(const struct diagnosis *d, int exit_code) {
        cJSON *o = report_json_new(d->opts);
        cJSON_AddStringToObject(o, "root", d->opts->root ? d->opts->root : "/");
        cJSON_AddStringToObject(o, "source", d->log.description);
        cJSON_AddNumberToObject(o, "entries", d->log.n_entries);
        if (d->kubelet_version)
                cJSON_AddStringToObject(o, "kubeletVersion", d->kubelet_version);
        else
                cJSON_AddNullToObject(o, "kubeletVersion");
        cJSON *list = cJSON_AddArrayToObject(o, "problems");
        for (size_t i = 0; i < d->n_problems; i++) {
                const struct problem *p = &d->problems[i];
                cJSON *x = cJSON_CreateObject();
                cJSON_AddStringToObject(x, "id", p->sig->id);
                cJSON_AddStringToObject(x, "fixer", p->sig->fixer);
                cJSON_AddNumberToObject(x, "count", p->count);
                if (p->last_line) {
                        /* Text logs rarely carry a year: keep the stamp as written. */
                        if (p->last_stamp)
                                cJSON_AddStringToObject(x, "lastSeen", p->last_stamp);
                        else
                                cJSON_AddNullToObject(x, "lastSeen");
                        cJSON_AddNumberToObject(x, "lastLine", p->last_line);
                } else {
                        _cleanup_free_ char *when = format_timestamp(p->last_usec, true);
                        cJSON_AddStringToObject(x, "lastSeen", when);
                }
                cJSON_AddStringToObject(x, "explanation", p->sig->explanation);
                cJSON_AddStringToObject(x, "command", p->command);
                _cleanup_free_ char *message = redact_text(p->last_message);
                cJSON_AddStringToObject(x, "message", message);
                if (p->checked) {
                        cJSON *c = cJSON_AddObjectToObject(x, "check");
                        cJSON_AddStringToObject(c, "status", fixer_status_to_string(p->check_status));
                        cJSON_AddBoolToObject(c, "agrees", p->check_status == STATUS_DRIFT);
                        _cleanup_free_ char *check = redact_text(p->check_message);
                        cJSON_AddStringToObject(c, "message", check);
                } else
                        cJSON_AddNullToObject(x, "check");
                cJSON_AddItemToArray(list, x);
        }
        report_json_print(o, exit_code);
}

void diagnosis_print(const struct diagnosis *d, int exit_code) {
        if (d->opts->output == OUTPUT_JSON)
                print_json(d, exit_code);
        else
                print_text(d);
}
