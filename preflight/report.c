/* SPDX-License-Identifier: MIT */
/* The run's report: kubeadm-like text lines, or the JSON of design.md §4.
 * This is the one place that prints results. */
#include "report.h"

#include <cjson/cJSON.h>

#include "config.h"
#include "diff.h"
#include "journal-stream.h"

static char *edit_diff(const struct file_edit *e) {
        /* Reports end up in logs (cloud-init, CI): a credential's bytes never do. */
        if (e->secret)
                return xasprintf("# %s: content not shown (a credential)\n", e->path);
        if (e->kind == EDIT_SYMLINK) {
                /* A link has no lines to diff; say what it becomes, as a one-line pseudo diff. */
                _cleanup_free_ char *old = e->existed ? (e->old_is_symlink ? xasprintf("-> %s\n", e->old_data)
                                                                           : xstrndup(e->old_data, e->old_len))
                                                      : NULL;
                _cleanup_free_ char *new = xasprintf("-> %s\n", e->new_data);
                return diff_unified(e->path, old, old ? strlen(old) : 0, new, strlen(new));
        }
        return diff_unified(e->path, e->existed ? e->old_data : NULL, e->old_len, e->new_data, e->new_len);
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

static void print_prefixed_lines(const char *prefix, const char *text) {
        if (!*prefix) {
                fputs(text, stdout);
                return;
        }
        for (const char *p = text; *p;) {
                size_t n = strcspn(p, "\n");
                printf("%s%.*s\n", prefix, (int) n, p);
                p += n + (p[n] == '\n');
        }
}

static void print_text_result(const struct report *rep, const struct fixer_result *r) {
        const char *pfx = priority_prefix(STDOUT_FILENO, status_priority(r->status));
        bool quiet = rep->opts->verbosity < 0;
        if (quiet && (r->status == STATUS_OK || r->status == STATUS_SKIPPED))
                return;
        printf("%s[%s] %s: %s\n", pfx, r->fixer->name, fixer_status_to_string(r->status), strempty(r->message));
        bool show_details = r->status != STATUS_OK || rep->opts->verbosity > 0;
        if (show_details)
                for (size_t i = 0; i < r->details.n; i++)
                        printf("%s\t%s\n", pfx, r->details.items[i]);
        if (!quiet)
                for (size_t i = 0; i < r->warnings.n; i++)
                        printf("%s\t[WARNING] %s\n", priority_prefix(STDOUT_FILENO, LOG_WARNING), r->warnings.items[i]);
        for (size_t i = 0; i < r->n_actions; i++)
                printf("%s\t%s %s (%s)%s%s\n", pfx, r->actions[i].action, r->actions[i].target,
                       action_status_to_string(r->actions[i].status), r->actions[i].message ? ": " : "",
                       strempty(r->actions[i].message));
        /* Diffs only with apply --dry-run (and -v): check prints findings without them. */
        bool diffs = rep->opts->command == CMD_APPLY ? rep->opts->dry_run : rep->opts->verbosity > 0;
        /* A link has no text to patch: the detail line already says what it becomes. */
        if (diffs && r->status == STATUS_DRIFT)
                for (size_t i = 0; i < r->n_edits; i++) {
                        if (r->edits[i].kind == EDIT_SYMLINK)
                                continue;
                        _cleanup_free_ char *d = edit_diff(&r->edits[i]);
                        print_prefixed_lines(pfx, d);
                }
}

static void print_text(const struct report *rep) {
        const char *verb = command_to_string(rep->opts->command);
        if (rep->opts->verbosity >= 0)
                printf("[%s] Checking %s against profile \"%s\"%s\n", verb,
                       rep->ctx->root->live ? "this node" : rep->ctx->root->path, rep->ctx->profile->name,
                       rep->opts->dry_run ? " (dry run: nothing is changed)" : "");
        for (size_t i = 0; i < rep->n_results; i++)
                print_text_result(rep, &rep->results[i]);
        for (size_t i = 0; i < rep->n_restarts; i++)
                printf("%s[%s] restart %s: %s%s%s\n",
                       priority_prefix(STDOUT_FILENO, streq(rep->restarts[i].status, "failed") ? LOG_ERR : LOG_INFO),
                       verb, rep->restarts[i].unit, rep->restarts[i].status,
                       rep->restarts[i].message ? ": " : "", strempty(rep->restarts[i].message));
        unsigned c[_STATUS_MAX];
        report_summary_count(rep->results, rep->n_results, c);
        printf("[%s] %u ok, %u drift, %u changed, %u error, %u skipped", verb, c[STATUS_OK], c[STATUS_DRIFT],
               c[STATUS_CHANGED], c[STATUS_ERROR], c[STATUS_SKIPPED]);
        if (rep->run_id)
                printf("; backup %s (undo with: kubeprep rollback%s%s %s)", rep->run_id,
                       rep->ctx->root->live ? "" : " --root ", rep->ctx->root->live ? "" : rep->ctx->root->path,
                       rep->run_id);
        printf("\n");
}

static cJSON *json_string_or_null(const char *s) {
        return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *json_strv(const struct strv *v) {
        cJSON *a = cJSON_CreateArray();
        for (size_t i = 0; i < v->n; i++)
                cJSON_AddItemToArray(a, cJSON_CreateString(v->items[i]));
        return a;
}

static cJSON *json_result(const struct fixer_result *r) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "fixer", r->fixer->name);
        cJSON_AddStringToObject(o, "status", fixer_status_to_string(r->status));
        cJSON_AddStringToObject(o, "message", strempty(r->message));
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
                        cJSON_AddStringToObject(a, "message", r->actions[i].message);
                cJSON_AddItemToArray(actions, a);
        }
        cJSON_AddItemToObject(o, "details", json_strv(&r->details));
        cJSON_AddItemToObject(o, "warnings", json_strv(&r->warnings));
        cJSON_AddItemToObject(o, "restarts", json_strv(&r->restarts));
        return o;
}

static void print_json(const struct report *rep) {
        const struct context *ctx = rep->ctx;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "kubeprep", KUBEPREP_VERSION);
        cJSON_AddStringToObject(o, "command", command_to_string(rep->opts->command));
        cJSON_AddBoolToObject(o, "dryRun", rep->opts->dry_run);
        cJSON_AddStringToObject(o, "root", ctx->root->path);
        cJSON_AddStringToObject(o, "profile", ctx->profile->name);
        cJSON *node = cJSON_AddObjectToObject(o, "node");
        cJSON_AddItemToObject(node, "arch", json_string_or_null(ctx->node.arch));
        cJSON_AddItemToObject(node, "kubeletVersion", json_string_or_null(ctx->node.kubelet_version));
        cJSON_AddItemToObject(node, "controlPlaneVersion", json_string_or_null(ctx->node.control_plane_version));
        if (ctx->node.cgroup_version)
                cJSON_AddNumberToObject(node, "cgroupVersion", ctx->node.cgroup_version);
        else
                cJSON_AddNullToObject(node, "cgroupVersion");
        cJSON_AddItemToObject(node, "init", json_string_or_null(ctx->node.init));
        cJSON *results = cJSON_AddArrayToObject(o, "results");
        for (size_t i = 0; i < rep->n_results; i++)
                cJSON_AddItemToArray(results, json_result(&rep->results[i]));
        cJSON *restarts = cJSON_AddArrayToObject(o, "restarts");
        for (size_t i = 0; i < rep->n_restarts; i++) {
                cJSON *u = cJSON_CreateObject();
                cJSON_AddStringToObject(u, "unit", rep->restarts[i].unit);
                cJSON_AddStringToObject(u, "status", rep->restarts[i].status);
                cJSON_AddItemToObject(u, "message", json_string_or_null(rep->restarts[i].message));
                cJSON_AddItemToArray(restarts, u);
        }
        unsigned c[_STATUS_MAX];
        report_summary_count(rep->results, rep->n_results, c);
        cJSON *s = cJSON_AddObjectToObject(o, "summary");
        for (int st = 0; st < _STATUS_MAX; st++)
                cJSON_AddNumberToObject(s, fixer_status_to_string((enum fixer_status) st), c[st]);
        cJSON_AddItemToObject(o, "runId", json_string_or_null(rep->run_id));
        cJSON_AddNumberToObject(o, "exitCode", rep->exit_code);
        _cleanup_free_ char *text = cJSON_Print(o);
        cJSON_Delete(o);
        puts(text);
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
