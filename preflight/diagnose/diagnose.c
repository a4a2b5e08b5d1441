/* SPDX-License-Identifier: MIT */
/* `kubeprep diagnose`: read the kubelet's log, match each entry against the
 * signature database, and cross-check what a fixer can see in the files by
 * running that fixer's check through the engine (run.h). */
#include "diagnose/diagnose.h"

#include "basic/time-util.h"
#include "diagnose/log-time.h"
#include "engine/run.h"

struct tally {
        const struct signature_db *db;
        struct diagnosis *d;
        ssize_t *slot; /* per signature: its index in d->problems, or -1 */
};

/* The kubelet logs its version when it starts: "Kubelet version"
 * kubeletVersion="v1.24.17" (klog structured), "Version: v1.16.0" (older). */
static char *logged_kubelet_version(const char *message) {
        const char *v = strstr(message, "kubeletVersion=\"v");
        if (v)
                v += strlen("kubeletVersion=\"v");
        else if ((v = strstr(message, "] Version: v")))
                v += strlen("] Version: v");
        else
                return NULL;
        size_t n = strspn(v, "0123456789.");
        return n > 0 ? xstrndup(v, n) : NULL;
}

static int tally_entry(const struct log_entry *e, void *userdata) {
        struct tally *t = userdata;
        char *version = logged_kubelet_version(e->message);
        if (version) {
                free(t->d->kubelet_version);
                t->d->kubelet_version = version;
        }
        int i = signature_db_match(t->db, e->message);
        if (i < 0)
                return 0;
        struct diagnosis *d = t->d;
        if (t->slot[i] < 0) {
                d->problems = xrealloc(d->problems, (d->n_problems + 1) * sizeof(*d->problems));
                d->problems[d->n_problems] = (struct problem){ .sig = &t->db->items[i] };
                t->slot[i] = (ssize_t) d->n_problems++;
        }
        struct problem *p = &d->problems[t->slot[i]];
        p->count++;
        /* The journal is read in time order and text in line order: the last
         * one seen is the latest. */
        p->last_usec = e->realtime_usec;
        p->last_line = e->line;
        free(p->last_stamp);
        p->last_stamp = e->stamp ? xstrdup(e->stamp) : NULL;
        free(p->last_message);
        p->last_message = xstrdup(e->message);
        return 0;
}

/* Quote for a POSIX shell, only when needed, so the command can be pasted. */
static void put_shell_word(struct buf *b, const char *s) {
        bool plain = *s != 0;
        for (const char *p = s; *p && plain; p++)
                plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:=@%,",
                               *p);
        if (plain) {
                buf_puts(b, s);
                return;
        }
        buf_putc(b, '\'');
        for (const char *p = s; *p; p++)
                if (*p == '\'')
                        buf_puts(b, "'\\''");
                else
                        buf_putc(b, *p);
        buf_putc(b, '\'');
}

static char *fix_command(const struct options *opts, const struct signature *sig) {
        struct buf b = {};
        buf_puts(&b, "kubeprep apply");
        if (opts->root) {
                buf_puts(&b, " --root ");
                put_shell_word(&b, opts->root);
        }
        if (sig->profile) {
                buf_puts(&b, " --profile ");
                put_shell_word(&b, sig->profile);
        }
        buf_printf(&b, " --only %s", sig->fixer);
        if (sig->args)
                buf_printf(&b, " %s", sig->args);
        return buf_steal(&b);
}

/* Ask the fixer whether it sees the problem in the node's files: the same
 * plan `check` makes, against --root when given, else the live node. */
static void cross_check(const struct options *opts, const char *logged_version, struct problem *p) {
        const struct fixer *f = fixer_find(p->sig->fixer);
        if (!p->sig->cross_check || !f)
                return;
        p->checked = true;
        struct context ctx;
        _cleanup_free_ char *err = NULL;
        if (context_open(opts, p->sig->profile, &ctx, &err) < 0) {
                p->check_status = STATUS_ERROR;
                p->check_message = TAKE_PTR(err);
                return;
        }
        /* A version the node does not tell (no binary in the tree, no
         * --kubelet-version) is the one the kubelet logged. */
        if (!ctx.node.kubelet_version && logged_version)
                ctx.node.kubelet_version = xstrdup(logged_version);
        struct fixer_result r;
        fixer_plan(&ctx, f, &r);
        p->check_status = r.status;
        p->check_message = xstrdup(strempty(r.message));
        fixer_result_free(&r);
        context_close(&ctx);
}

static void diagnosis_free(struct diagnosis *d) {
        for (size_t i = 0; i < d->n_problems; i++) {
                free(d->problems[i].last_stamp);
                free(d->problems[i].last_message);
                free(d->problems[i].command);
                free(d->problems[i].check_message);
        }
        free(d->problems);
        free(d->kubelet_version);
        log_summary_free(&d->log);
}

static int build_source(const struct options *opts, struct root **root, struct log_source *ret) {
        struct log_source src = {};
        if (opts->log_file)
                src = (struct log_source){ .kind = LOG_SOURCE_TEXT, .path = opts->log_file };
        else if (opts->journal_dir)
                src = (struct log_source){ .kind = LOG_SOURCE_DIR, .path = opts->journal_dir };
        else if (opts->root) {
                int k = root_open(opts->root, false, root);
                if (k < 0)
                        return fail_early(opts, 2, "cannot open root %s: %s", opts->root, strerror(-k));
                src = (struct log_source){ .kind = LOG_SOURCE_ROOT, .root = *root };
        } else
                src = (struct log_source){ .kind = LOG_SOURCE_LIVE };
        if (opts->since) {
                if (parse_since(opts->since, now_usec(CLOCK_REALTIME), &src.since_usec) < 0)
                        return fail_early(
                                opts, 2,
                                "--since '%s' is not a time (try \"2024-06-03 08:00\", \"2 days ago\", "
                                "\"-3h\", \"yesterday\" or \"@EPOCH\")",
                                opts->since);
                src.has_since = true;
        }
        *ret = src;
        return 0;
}

int run_diagnose(const struct options *opts) {
        if (opts->output != OUTPUT_TEXT && opts->output != OUTPUT_JSON)
                return fail_early(opts, 2, "%s", "diagnose prints text or json");
        struct signature_db db = {};
        _cleanup_free_ char *err = NULL;
        if (signature_db_load(&db, &err) < 0)
                return fail_early(opts, 2, "%s", err);

        struct root *root = NULL;
        struct log_source src;
        int exit_code = build_source(opts, &root, &src);
        if (exit_code) {
                signature_db_free(&db);
                root_free(root);
                return exit_code;
        }

        struct diagnosis d = { .opts = opts };
        ssize_t *slot = xmalloc((db.n ? db.n : 1) * sizeof(*slot));
        for (size_t i = 0; i < db.n; i++)
                slot[i] = -1;
        struct tally t = { .db = &db, .d = &d, .slot = slot };
        if (kubelet_log_read(&src, tally_entry, &t, &d.log, &err) < 0)
                exit_code = fail_early(opts, 2, "%s", err);
        else {
                for (size_t i = 0; i < d.n_problems; i++) {
                        d.problems[i].command = fix_command(opts, d.problems[i].sig);
                        cross_check(opts, d.kubelet_version, &d.problems[i]);
                }
                exit_code = d.n_problems ? 1 : 0;
                diagnosis_print(&d, exit_code);
        }
        free(slot);
        diagnosis_free(&d);
        signature_db_free(&db);
        root_free(root);
        return exit_code;
}
