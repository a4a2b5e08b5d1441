/* SPDX-License-Identifier: MIT */
/* The run's report: kubeadm-like text lines, or the JSON the README documents (JSON report).
 * This is the one place that prints results. */
#include "engine/report.h"

#include "basic/diff.h"
#include "config.h"
#include "formats/redact.h"
#include "system/journal-stream.h"

/* Reports end up in logs (cloud-init, CI, Ansible): a credential's bytes never do. Every diff
 * and every message passes through here with its credential values masked (redact.h); the
 * text report also escapes the control characters of what comes from the tree. */
static char *edit_diff_unmasked(const struct file_edit *e) {
        if (e->secret)
                return xasprintf("# %s: content not shown (a credential)\n", e->path);
        if (e->kind == EDIT_SYMLINK) {
                /* A link has no lines to diff; say what it becomes, as a one-line pseudo diff. */
                _cleanup_free_ char *old = e->existed
                                                   ? (e->old_is_symlink ? xasprintf("-> %s\n", e->old_data)
                                                                        : xstrndup(e->old_data, e->old_len))
                                                   : NULL;
                _cleanup_free_ char *new = xasprintf("-> %s\n", e->new_data);
                return diff_unified(e->path, old, old ? strlen(old) : 0, new, strlen(new));
        }
        return diff_unified(e->path, e->existed ? e->old_data : NULL, e->old_len, e->new_data, e->new_len);
}

static char *edit_diff(const struct file_edit *e) {
        _cleanup_free_ char *d = edit_diff_unmasked(e);
        return redact_diff(d);
}

/* A string from the tree as the text report shows it. */
static char *shown(const char *s) {
        return redact_for_terminal(strempty(s));
}

void report_summary_count(const struct fixer_result *results, size_t n, unsigned counts[_STATUS_MAX]) {
        memset(counts, 0, sizeof(unsigned) * _STATUS_MAX);
        for (size_t i = 0; i < n; i++)
                counts[results[i].status]++;
}

/* Text lines carry a syslog priority when stdout is the journal. */
static int status_priority(enum fixer_status s) {
        return s == STATUS_ERROR ? LOG_ERR : s == STATUS_DRIFT ? LOG_WARNING : LOG_INFO;
}

struct diff_printer {
        const char *prefix;
        struct buf line;
};

/* One masked line of a diff, behind the journal prefix when there is one. Tabs and the CR of a CRLF
 * line stay, so the diff still applies with patch; other control characters are escaped. */
static void print_diff_line(const char *s, size_t n, bool newline, void *userdata) {
        struct diff_printer *p = userdata;
        /* A CRLF file's diff keeps its CR: escaped, it would no longer apply. */
        size_t body = n > 0 && s[n - 1] == '\r' ? n - 1 : n;
        p->line.len = 0;
        buf_puts(&p->line, p->prefix);
        buf_put_escaped(&p->line, s, body, true);
        buf_append(&p->line, s + body, n - body);
        buf_putc(&p->line, '\n');
        fwrite(p->line.data, 1, p->line.len, stdout);
        (void) newline; /* a last line without one still ends the report's line */
}

/* An edit's diff, masked and printed a line at a time: the diff of a 100,000-line fstab is not
 * held once more masked and once more escaped. */
static void print_diff(const char *prefix, const struct file_edit *e) {
        _cleanup_free_ char *d = edit_diff_unmasked(e);
        struct diff_printer p = { .prefix = prefix };
        redact_diff_each(d, print_diff_line, &p);
        buf_free(&p.line);
}

static void print_detail(const char *detail, void *pfx) {
        _cleanup_free_ char *s = shown(detail);
        printf("%s\t%s\n", (const char *) pfx, s);
}

static void print_text_result(const struct report *rep, const struct fixer_result *r) {
        const char *pfx = priority_prefix(STDOUT_FILENO, status_priority(r->status));
        bool quiet = rep->opts->verbosity < 0;
        if (quiet && (r->status == STATUS_OK || r->status == STATUS_SKIPPED))
                return;
        _cleanup_free_ char *message = shown(r->message);
        printf("%s[%s] %s: %s\n", pfx, r->fixer->name, fixer_status_to_string(r->status), message);
        if (r->status != STATUS_OK || rep->opts->verbosity > 0)
                result_each_detail(r, print_detail, (void *) pfx);
        for (size_t i = 0; !quiet && i < r->warnings.n; i++) {
                _cleanup_free_ char *warning = shown(r->warnings.items[i]);
                printf("%s\t[WARNING] %s\n", priority_prefix(STDOUT_FILENO, LOG_WARNING), warning);
        }
        for (size_t i = 0; i < r->n_actions; i++) {
                _cleanup_free_ char *target = shown(r->actions[i].target),
                                    *amessage = shown(r->actions[i].message);
                printf("%s\t%s %s (%s)%s%s\n", pfx, r->actions[i].action, target,
                       action_status_to_string(r->actions[i].status), r->actions[i].message ? ": " : "",
                       amessage);
        }
        /* Diffs only with apply --dry-run (and -v): check prints findings without them. */
        bool diffs = rep->opts->command == CMD_APPLY ? rep->opts->dry_run : rep->opts->verbosity > 0;
        /* A link has no text to patch: the detail line already says what it becomes. */
        if (diffs && r->status == STATUS_DRIFT)
                for (size_t i = 0; i < r->n_edits; i++) {
                        if (r->edits[i].kind == EDIT_SYMLINK)
                                continue;
                        print_diff(pfx, &r->edits[i]);
                }
}

/* A backup is worth rolling back to only when a file was changed: a run whose writes all
 * failed left every file as it was, although it saved some before trying. */
static bool files_written(const struct report *rep) {
        for (size_t i = 0; i < rep->n_results; i++)
                for (size_t j = 0; j < rep->results[i].n_edits; j++)
                        if (rep->results[i].edits[j].written)
                                return true;
        return false;
}

static void print_text(const struct report *rep) {
        const char *verb = rep->opts->command_name;
        _cleanup_free_ char *root = shown(rep->ctx->root->path), *profile = shown(rep->ctx->profile->name);
        if (rep->opts->verbosity >= 0)
                printf("[%s] Checking %s against profile \"%s\"%s\n", verb,
                       rep->ctx->root->live ? "this node" : root, profile,
                       rep->opts->dry_run ? " (dry run: nothing is changed)" : "");
        for (size_t i = 0; i < rep->n_results; i++)
                print_text_result(rep, &rep->results[i]);
        for (size_t i = 0; i < rep->n_restarts; i++) {
                _cleanup_free_ char *unit = shown(rep->restarts[i].unit),
                                    *message = shown(rep->restarts[i].message);
                printf("%s[%s] restart %s: %s%s%s\n",
                       priority_prefix(STDOUT_FILENO,
                                       streq(rep->restarts[i].status, "failed") ? LOG_ERR : LOG_INFO),
                       verb, unit, rep->restarts[i].status, rep->restarts[i].message ? ": " : "", message);
        }
        unsigned c[_STATUS_MAX];
        report_summary_count(rep->results, rep->n_results, c);
        printf("[%s] %u ok, %u drift, %u changed, %u error, %u skipped", verb, c[STATUS_OK], c[STATUS_DRIFT],
               c[STATUS_CHANGED], c[STATUS_ERROR], c[STATUS_SKIPPED]);
        if (rep->run_id && files_written(rep))
                printf("; backup %s (undo with: kubeprep rollback%s%s %s)", rep->run_id,
                       rep->ctx->root->live ? "" : " --root ", rep->ctx->root->live ? "" : root,
                       rep->run_id);
        printf("\n");
}

static cJSON *json_string_or_null(const char *s) {
        return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* A message for the JSON report: masked; cJSON escapes control characters. */
static cJSON *json_message(const char *s) {
        _cleanup_free_ char *masked = redact_text(s);
        return cJSON_CreateString(masked);
}

static cJSON *json_strv(const struct strv *v) {
        cJSON *a = cJSON_CreateArray();
        for (size_t i = 0; i < v->n; i++)
                cJSON_AddItemToArray(a, json_message(v->items[i]));
        return a;
}

static void json_add_message(const char *s, void *array) {
        cJSON_AddItemToArray(array, json_message(s));
}

static cJSON *json_result(const struct fixer_result *r) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "fixer", r->fixer->name);
        cJSON_AddStringToObject(o, "status", fixer_status_to_string(r->status));
        cJSON_AddItemToObject(o, "message", json_message(strempty(r->message)));
        cJSON *changes = cJSON_AddArrayToObject(o, "changes");
        for (size_t i = 0; i < r->n_edits; i++) {
                cJSON *c = cJSON_CreateObject();
                _cleanup_free_ char *d = edit_diff(&r->edits[i]);
                cJSON_AddStringToObject(c, "path", r->edits[i].path);
                cJSON_AddStringToObject(c, "diff", d);
                if (r->edits[i].kind == EDIT_SYMLINK)
                        cJSON_AddStringToObject(c, "symlink", r->edits[i].new_data);
                cJSON_AddItemToArray(changes, c);
        }
        cJSON *actions = cJSON_AddArrayToObject(o, "actions");
        for (size_t i = 0; i < r->n_actions; i++) {
                cJSON *a = cJSON_CreateObject();
                cJSON_AddStringToObject(a, "action", r->actions[i].action);
                cJSON_AddStringToObject(a, "target", r->actions[i].target);
                cJSON_AddStringToObject(a, "status", action_status_to_string(r->actions[i].status));
                if (r->actions[i].message)
                        cJSON_AddItemToObject(a, "message", json_message(r->actions[i].message));
                cJSON_AddItemToArray(actions, a);
        }
        cJSON *details = cJSON_AddArrayToObject(o, "details");
        result_each_detail(r, json_add_message, details);
        cJSON_AddItemToObject(o, "warnings", json_strv(&r->warnings));
        cJSON_AddItemToObject(o, "restarts", json_strv(&r->restarts));
        cJSON_AddItemToObject(o, "kubeadmChecks", json_strv(&r->kubeadm_checks));
        return o;
}

cJSON *report_json_new(const struct options *opts) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "kubeprep", KUBEPREP_VERSION);
        cJSON_AddStringToObject(o, "command", opts->command_name);
        return o;
}

void report_json_print(cJSON *o, int exit_code) {
        cJSON_AddNumberToObject(o, "exitCode", exit_code);
        _cleanup_free_ char *text = cJSON_Print(o);
        cJSON_Delete(o);
        puts(text);
}

static void print_json(const struct report *rep) {
        const struct context *ctx = rep->ctx;
        cJSON *o = report_json_new(rep->opts);
        cJSON_AddBoolToObject(o, "dryRun", rep->opts->dry_run);
        cJSON_AddStringToObject(o, "root", ctx->root->path);
        cJSON_AddStringToObject(o, "profile", ctx->profile->name);
        cJSON *node = cJSON_AddObjectToObject(o, "node");
        cJSON_AddItemToObject(node, "arch", json_string_or_null(ctx->node.arch));
        cJSON_AddItemToObject(node, "kubeletVersion", json_string_or_null(ctx->node.kubelet_version));
        cJSON_AddItemToObject(node, "controlPlaneVersion",
                              json_string_or_null(ctx->node.control_plane_version));
        cJSON_AddItemToObject(node, "kubeadmVersion", json_string_or_null(ctx->node.kubeadm_version));
        if (ctx->node.cgroup_version)
                cJSON_AddNumberToObject(node, "cgroupVersion", ctx->node.cgroup_version);
        else
                cJSON_AddNullToObject(node, "cgroupVersion");
        cJSON_AddItemToObject(node, "init", json_string_or_null(ctx->node.init));
        /* Where each version came from, for the operator who wonders why kubeprep thinks so. */
        cJSON_AddItemToObject(node, "kubeletVersionFrom",
                              json_string_or_null(ctx->node.kubelet_version_from));
        cJSON_AddItemToObject(node, "controlPlaneVersionFrom",
                              json_string_or_null(ctx->node.control_plane_version_from));
        cJSON_AddItemToObject(node, "kubeadmVersionFrom",
                              json_string_or_null(ctx->node.kubeadm_version_from));
        cJSON *results = cJSON_AddArrayToObject(o, "results");
        for (size_t i = 0; i < rep->n_results; i++)
                cJSON_AddItemToArray(results, json_result(&rep->results[i]));
        cJSON *restarts = cJSON_AddArrayToObject(o, "restarts");
        for (size_t i = 0; i < rep->n_restarts; i++) {
                cJSON *u = cJSON_CreateObject();
                cJSON_AddStringToObject(u, "unit", rep->restarts[i].unit);
                cJSON_AddStringToObject(u, "status", rep->restarts[i].status);
                const char *message = rep->restarts[i].message;
                cJSON_AddItemToObject(u, "message", message ? json_message(message) : cJSON_CreateNull());
                cJSON_AddItemToArray(restarts, u);
        }
        unsigned c[_STATUS_MAX];
        report_summary_count(rep->results, rep->n_results, c);
        cJSON *s = cJSON_AddObjectToObject(o, "summary");
        for (int st = 0; st < _STATUS_MAX; st++)
                cJSON_AddNumberToObject(s, fixer_status_to_string((enum fixer_status) st), c[st]);
        cJSON_AddItemToObject(o, "runId", json_string_or_null(rep->run_id));
        report_json_print(o, rep->exit_code);
}

void report_print(const struct report *rep) {
        switch (rep->opts->output) {
        case OUTPUT_JSON:
                print_json(rep);
                break;
        case OUTPUT_PROMETHEUS:
                report_print_prometheus(rep);
                break;
        case OUTPUT_TEXT:
        default:
                print_text(rep);
                break;
        }
        fflush(stdout);
}
