/* SPDX-License-Identifier: MIT */
/* The engine: open the root, gather facts, load the profile, plan every
 * selected fixer, and (apply) commit the plans and restart what changed. */
#include "engine/run.h"

#include "engine/backup.h"
#include "engine/commit.h"
#include "engine/report.h"
#include "engine/restart.h"
#include "formats/redact.h"
#include "system/journal-stream.h"

int fail_early(const struct options *opts, int exit_code, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *msg = xvasprintf(fmt, ap);
        va_end(ap);
        if (opts->output == OUTPUT_JSON) {
                cJSON *o = report_json_new(opts);
                cJSON_AddStringToObject(o, "error", msg);
                report_json_print(o, exit_code);
        } else if (opts->output == OUTPUT_PROMETHEUS)
                report_print_prometheus_error(opts, exit_code);
        /* The message may quote a tree's path or bytes: shown as the report shows them. */
        _cleanup_free_ char *shown = redact_for_terminal(msg);
        fprintf(stderr, "%skubeprep: %s\n", priority_prefix(STDERR_FILENO, LOG_ERR), shown);
        return exit_code;
}

static int check_fixer_names(const struct options *opts, const struct strv *names) {
        for (size_t i = 0; i < names->n; i++)
                if (!fixer_find(names->items[i]))
                        return fail_early(opts, 2, "unknown fixer '%s' (see 'kubeprep list')",
                                          names->items[i]);
        return 0;
}

static bool fixer_selected(const struct options *opts, const struct fixer *f) {
        if (opts->only.n)
                return strv_contains(&opts->only, f->name);
        return !strv_contains(&opts->skip, f->name);
}

void fixer_plan(struct context *ctx, const struct fixer *f, struct fixer_result *r) {
        *r = (struct fixer_result){ .fixer = f };
        int k = f->plan(ctx, r);
        if (k < 0 && r->status != STATUS_ERROR)
                result_refuse(r, k, "%s", strerror(-k));
        if (r->status == STATUS_OK && !plan_is_empty(r))
                r->status = STATUS_DRIFT;
        if (!r->message)
                r->message = xstrdup(r->status == STATUS_OK ? "nothing to do" : "");
}

static int result_exit_code(const struct fixer_result *r) {
        switch (r->status) {
        case STATUS_OK:
        case STATUS_CHANGED:
        case STATUS_SKIPPED:
                return r->exit_code;
        case STATUS_DRIFT:
                return r->exit_code > 1 ? r->exit_code : 1;
        case STATUS_ERROR:
                return r->exit_code ? r->exit_code : 2;
        case _STATUS_MAX:
                break;
        }
        return 2;
}

static struct fixer_result *plan_all(struct context *ctx, const struct options *opts, size_t *ret_n) {
        struct fixer_result *results = xmalloc(n_fixers * sizeof(*results));
        size_t n = 0;
        for (size_t i = 0; i < n_fixers; i++)
                if (fixer_selected(opts, fixers[i]))
                        fixer_plan(ctx, fixers[i], &results[n++]);
        *ret_n = n;
        return results;
}

static void results_free(struct fixer_result *results, size_t n) {
        for (size_t i = 0; i < n; i++)
                fixer_result_free(&results[i]);
        free(results);
}

static bool any_commit(const struct fixer_result *results, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (commit_wanted(&results[i]) && !plan_is_empty(&results[i]))
                        return true;
        return false;
}

/* Plan every selected fixer, commit when applying, report. Returns the exit code. */
static int plan_commit_report(struct context *ctx, const struct options *opts, bool writes) {
        size_t n;
        struct fixer_result *results = plan_all(ctx, opts, &n);
        /* A run with nothing to commit takes no lock (and leaves no lock file in a tree); one
         * that commits plans again under the lock, from what the run before it left. */
        _cleanup_close_ int lock_fd = -EBADF;
        if (writes && any_commit(results, n)) {
                results_free(results, n);
                context_free(ctx);
                _cleanup_free_ char *lerr = NULL;
                int k = lock_root(ctx->root, opts->lock_timeout, &lock_fd, &lerr);
                /* Gave up waiting: nothing is wrong with the node, the run just did not happen. */
                if (k < 0)
                        return fail_early(opts, k == -ETIMEDOUT ? 1 : 2, "%s", lerr);
                node_facts_reread_live(ctx->root, &ctx->node);
                results = plan_all(ctx, opts, &n);
        }

        struct backup b;
        _cleanup_free_ char *run_id = run_id_new();
        backup_init(&b, ctx->root, run_id);
        struct restart_outcome *restarts = NULL;
        size_t n_restarts = 0;
        if (writes) {
                commit_results(ctx, results, n, &b);
                restart_changed_units(ctx, results, n, &restarts, &n_restarts);
        } else if (opts->command == CMD_APPLY)
                restart_plan_units(ctx, results, n, &restarts, &n_restarts);

        int exit_code = 0;
        for (size_t i = 0; i < n; i++) {
                int e = result_exit_code(&results[i]);
                if (e > exit_code)
                        exit_code = e;
        }
        for (size_t i = 0; i < n_restarts; i++)
                if (streq(restarts[i].status, "failed") && exit_code < 1)
                        exit_code = 1;

        struct report rep = {
                .opts = opts,
                .ctx = ctx,
                .results = results,
                .n_results = n,
                .restarts = restarts,
                .n_restarts = n_restarts,
                .run_id = b.dir ? b.run_id : NULL,
                .exit_code = exit_code,
        };
        report_print(&rep);

        restart_outcomes_free(restarts, n_restarts);
        backup_done(&b);
        results_free(results, n);
        return exit_code;
}

int run_check_or_apply(const struct options *opts) {
        bool live = !opts->root;
        bool writes = opts->command == CMD_APPLY && !opts->dry_run;
        if (writes && live && geteuid() != 0)
                return fail_early(opts, 2, "%s",
                                  "apply changes the node and must run as root (try 'sudo kubeprep apply', "
                                  "or 'kubeprep apply --dry-run' to see what it would do)");
        int k = check_fixer_names(opts, &opts->only);
        if (k == 0)
                k = check_fixer_names(opts, &opts->skip);
        if (k)
                return k;

        struct context ctx;
        _cleanup_free_ char *err = NULL;
        if (context_open(opts, NULL, &ctx, &err) < 0)
                return fail_early(opts, 2, "%s", err);
        int exit_code = plan_commit_report(&ctx, opts, writes);
        context_close(&ctx);
        return exit_code;
}

static void print_rollback_json(const struct options *opts, const struct root *root,
                                const struct rollback *rb, int exit_code) {
        cJSON *o = report_json_new(opts);
        cJSON_AddStringToObject(o, "root", root->path);
        cJSON_AddStringToObject(o, "runId", rb->run_id);
        cJSON *a = cJSON_AddArrayToObject(o, "restored");
        for (size_t i = 0; i < rb->restored.n; i++)
                cJSON_AddItemToArray(a, cJSON_CreateString(rb->restored.items[i]));
        a = cJSON_AddArrayToObject(o, "notRestored");
        for (size_t i = 0; i < rb->not_restored.n; i++) {
                cJSON *item = cJSON_CreateObject();
                cJSON_AddStringToObject(item, "path", rb->not_restored.items[i]);
                cJSON_AddStringToObject(item, "reason", rb->reasons.items[i]);
                cJSON_AddItemToArray(a, item);
        }
        a = cJSON_AddArrayToObject(o, "notes");
        for (size_t i = 0; i < rb->notes.n; i++)
                cJSON_AddItemToArray(a, cJSON_CreateString(rb->notes.items[i]));
        report_json_print(o, exit_code);
}

/* One "[rollback] ..." line; paths come from the tree, so they are shown escaped (redact.h). */
static void print_rollback_line(FILE *f, const char *prefix, const char *text, const char *reason) {
        _cleanup_free_ char *shown = redact_for_terminal(text);
        fprintf(f, "%s[rollback] %s%s%s\n", prefix, shown, reason ? ": " : "", strempty(reason));
}

static void print_restored(FILE *f, const struct strv *restored) {
        for (size_t i = 0; i < restored->n; i++) {
                _cleanup_free_ char *line = xasprintf("restored %s", restored->items[i]);
                print_rollback_line(f, "", line, NULL);
        }
}

/* What was restored on stdout; what was not, on stderr, with how to finish. Exit 1 then. */
static int print_rollback(const struct options *opts, const struct rollback *rb) {
        size_t n = rb->restored.n;
        print_restored(stdout, &rb->restored);
        for (size_t i = 0; i < rb->notes.n; i++)
                print_rollback_line(stdout, "", rb->notes.items[i], NULL);
        if (!rb->not_restored.n) {
                printf("[rollback] run %s rolled back: %zu file%s restored\n", rb->run_id, n,
                       n == 1 ? "" : "s");
                return 0;
        }
        fflush(stdout);
        const char *prefix = priority_prefix(STDERR_FILENO, LOG_ERR);
        for (size_t i = 0; i < rb->not_restored.n; i++)
                print_rollback_line(stderr, prefix, rb->not_restored.items[i], rb->reasons.items[i]);
        _cleanup_free_ char *again =
                opts->root ? xasprintf("kubeprep rollback --root %s %s", opts->root, rb->run_id)
                           : xasprintf("kubeprep rollback %s", rb->run_id);
        fprintf(stderr,
                "%skubeprep: run %s partly rolled back: %zu file%s restored, %zu not (listed above); the "
                "run "
                "stays unmarked, so '%s' tries again\n",
                prefix, rb->run_id, n, n == 1 ? "" : "s", rb->not_restored.n, again);
        return 1;
}

int run_rollback(const struct options *opts) {
        bool live = !opts->root;
        if (live && geteuid() != 0)
                return fail_early(opts, 2, "%s", "rollback changes the node and must run as root");
        struct root *root = NULL;
        if (root_open(opts->root ? opts->root : "/", live, &root) < 0)
                return fail_early(opts, 2, "cannot open root %s", opts->root ? opts->root : "/");
        int lock_fd = -EBADF, exit_code = 0;
        _cleanup_free_ char *err = NULL;
        struct rollback rb = {};
        int k = lock_root(root, opts->lock_timeout, &lock_fd, &err);
        if (k >= 0)
                k = rollback_run(root, opts->run_id, &rb, &err);
        if (k < 0) {
                /* Files restored before a failure stay restored; say which. */
                print_restored(stderr, &rb.restored);
                exit_code = fail_early(opts, k == -ETIMEDOUT && lock_fd < 0 ? 1 : 2, "%s", err);
        } else if (opts->output == OUTPUT_JSON) {
                exit_code = rb.not_restored.n ? 1 : 0;
                print_rollback_json(opts, root, &rb, exit_code);
        } else
                exit_code = print_rollback(opts, &rb);
        rollback_done(&rb);
        if (lock_fd >= 0)
                close(lock_fd);
        root_free(root);
        return exit_code;
}

int run_list(_unused_ const struct options *opts) {
        for (size_t i = 0; i < n_fixers; i++)
                printf("%-14s %s\n", fixers[i]->name, fixers[i]->description);
        return 0;
}
