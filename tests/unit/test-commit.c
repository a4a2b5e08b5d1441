/* SPDX-License-Identifier: MIT */
/* Committing plans (engine/commit.c) on a scratch tree, with results made by hand: edits of one
 * file by several fixers are written once, with the last bytes, and backed up as the first found
 * the file; a failed link stops the links after it; independent edits go on without a failed
 * one; and a file changed behind kubeprep's back is left as it is. The backup manifest, written
 * an entry at a time, is the text cJSON prints; and a result's details made when shown come in
 * their place among the others. */
#include <cjson/cJSON.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "engine/backup.h"
#include "engine/commit.h"
#include "tap.h"
#include "test-util.h"

#define CONFIG "/var/lib/kubelet/config.yaml"
#define FSTAB "/etc/fstab"
#define SYSCTL "/etc/sysctl.d/99-kubeprep.conf"
#define ALICE "/home/alice/.kube/config"
#define BOB "/home/bob/.kube/config"
#define STALE "changed by someone else while kubeprep ran; not overwritten"

static const struct fixer swap = { .name = "swap" }, cgroup_driver = { .name = "cgroup-driver" },
                          csi_migration = { .name = "csi-migration" }, kubeconfig = { .name = "kubeconfig" };

static char tree[] = "/tmp/kubeprep-test-commit.XXXXXX";

static char *host(const char *path) {
        return xasprintf("%s%s", tree, path);
}

/* Put a file in the tree (its directories too), or remove it (data NULL). */
static void put(const char *path, const char *data) {
        _cleanup_free_ char *p = host(path), *mk = xasprintf("mkdir -p \"$(dirname %s)\"", p);
        if (!data) {
                unlink(p);
                return;
        }
        if (system(mk) != 0 || write_file(p, data, strlen(data)) < 0)
                tap_diag(p);
}

/* The file's content; NULL when it is not there. */
static char *get(const char *path) {
        _cleanup_free_ char *p = host(path);
        size_t len;
        return read_file_or_null(p, &len);
}

static bool holds(const char *path, const char *want) {
        _cleanup_free_ char *got = get(path);
        return streq_ptr(got, want);
}

/* One apply: the results it commits, over the tree, with its backup. */
struct run {
        struct options opts;
        struct context ctx;
        struct fixer_result results[4];
        size_t n;
        char id[32]; /* each run its own, as a backup directory is never reused */
        struct backup b;
};

static bool run_open(struct run *run) {
        static unsigned runs;
        *run = (struct run){ .opts = { .command = CMD_APPLY, .command_name = "apply" } };
        snprintf(run->id, sizeof(run->id), "20240603T0800%02u.000000Z", ++runs);
        run->ctx.opts = &run->opts;
        if (root_open(tree, false, &run->ctx.root) < 0)
                return tap_ok(false, "open the scratch tree");
        backup_init(&run->b, run->ctx.root, run->id);
        return true;
}

static void run_close(struct run *run) {
        for (size_t i = 0; i < run->n; i++)
                fixer_result_free(&run->results[i]);
        backup_done(&run->b);
        context_free(&run->ctx);
        root_free(run->ctx.root);
}

/* A fixer's result that found drift. */
static struct fixer_result *result(struct run *run, const struct fixer *f) {
        struct fixer_result *r = &run->results[run->n++];
        *r = (struct fixer_result){ .fixer = f, .status = STATUS_DRIFT };
        return r;
}

/* Plan path from old (NULL: absent) to new, as plan_write_file() would have. */
static void edit(struct fixer_result *r, const char *path, const char *old, const char *new) {
        r->edits = xrealloc(r->edits, (r->n_edits + 1) * sizeof(*r->edits));
        r->edits[r->n_edits++] = (struct file_edit){
                .path = xstrdup(path),
                .kind = EDIT_CONTENT,
                .existed = old != NULL,
                .old_data = old ? xstrdup(old) : NULL,
                .old_len = old ? strlen(old) : 0,
                .new_data = xstrdup(new),
                .new_len = strlen(new),
                .mode = 0644,
                /* The old file's owner, as a plan keeps it; none for a new file. */
                .uid = old ? geteuid() : (uid_t) -1,
                .gid = old ? getegid() : (gid_t) -1,
        };
}

static void commit(struct run *run) {
        commit_results(&run->ctx, run->results, run->n, &run->b);
}

/* Watch dir for files renamed into it, and for the temporary files created there too: inotify
 * merges two like events in a row into one, so two renames need something between them. */
static int watch(const char *dir) {
        _cleanup_free_ char *p = host(dir);
        int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (fd >= 0 && inotify_add_watch(fd, p, IN_CREATE | IN_MOVED_TO) < 0)
                tap_diag("inotify_add_watch failed");
        return fd;
}

/* How often name was renamed into the watched directory: each atomic write of it is one. */
static unsigned writes_of(int fd, const char *name) {
        unsigned n = 0;
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        ssize_t len;
        while ((len = read(fd, buf, sizeof(buf))) > 0)
                for (char *p = buf; p < buf + len;) {
                        const struct inotify_event *ev = (const struct inotify_event *) p;
                        if ((ev->mask & IN_MOVED_TO) && ev->len && streq(ev->name, name))
                                n++;
                        p += sizeof(*ev) + ev->len;
                }
        return n;
}

static bool changed(const struct fixer_result *r) {
        return r->status == STATUS_CHANGED && r->exit_code == 0;
}

static bool failed(const struct fixer_result *r, const char *message) {
        if (!streq_ptr(r->message, message))
                tap_diag_text(r->fixer->name, strempty(r->message));
        return r->status == STATUS_ERROR && r->exit_code == 1 && streq_ptr(r->message, message);
}

/* A run that edits config.yaml with cgroup-driver, then with csi-migration from the bytes
 * cgroup-driver planned. */
static bool chain_open(struct run *run) {
        put(CONFIG, "a: 1\n");
        if (!run_open(run))
                return false;
        edit(result(run, &cgroup_driver), CONFIG, "a: 1\n", "a: 1\nb: 2\n");
        edit(result(run, &csi_migration), CONFIG, "a: 1\nb: 2\n", "a: 1\nb: 2\nc: 3\n");
        return true;
}

static void test_chain(void) {
        struct run run;
        if (!chain_open(&run))
                return;
        _cleanup_close_ int w = watch("/var/lib/kubelet");
        commit(&run);

        tap_ok(holds(CONFIG, "a: 1\nb: 2\nc: 3\n"),
               "a chain of two edits: the file has the last one's bytes");
        tap_ok(writes_of(w, "config.yaml") == 1, "written once, not once a link");
        tap_ok(changed(&run.results[0]) && changed(&run.results[1]), "both fixers changed it");
        tap_ok(run.results[0].edits[0].written && run.results[1].edits[0].written,
               "both edits are in the file (a report offers the rollback)");
        _cleanup_free_ char *saved = xasprintf("/var/lib/kubeprep/backups/%s/0", run.id),
                            *more = xasprintf("/var/lib/kubeprep/backups/%s/1", run.id);
        tap_ok(holds(saved, "a: 1\n") && holds(more, NULL), "one backup, of the bytes the first edit found");
        run_close(&run);

        /* The backup's manifest takes the last bytes as the run's: rollback restores the file. */
        struct root *root = NULL;
        struct rollback rb = {};
        _cleanup_free_ char *err = NULL;
        int k = root_open(tree, false, &root);
        if (k >= 0)
                k = rollback_run(root, run.id, &rb, &err);
        if (k < 0)
                tap_diag(strempty(err));
        tap_ok(k >= 0 && rb.restored.n == 1 && rb.not_restored.n == 0 && holds(CONFIG, "a: 1\n"),
               "rollback puts back what the first edit found");
        rollback_done(&rb);
        root_free(root);
}

/* swap fails before it reaches its edit of config.yaml: csi-migration's edit, planned from
 * swap's bytes, would write them too. */
static void test_failed_link(void) {
        put(CONFIG, "a: 1\n");
        put(FSTAB, "old fstab\n");
        struct run run;
        if (!run_open(&run))
                return;
        struct fixer_result *first = result(&run, &swap);
        edit(first, FSTAB, "old fstab\n", "new fstab\n");
        edit(first, CONFIG, "a: 1\n", "a: 1\nb: 2\n");
        edit(result(&run, &csi_migration), CONFIG, "a: 1\nb: 2\n", "a: 1\nb: 2\nc: 3\n");
        put(FSTAB, "someone else's fstab\n");
        commit(&run);

        tap_ok(failed(&run.results[0], FSTAB ": " STALE), "the first link's fixer fails on its first edit");
        tap_ok(failed(&run.results[1], CONFIG ": not written: the swap fix it builds on failed"),
               "the second link is not written, with the fix it builds on named");
        tap_ok(holds(CONFIG, "a: 1\n") && holds(FSTAB, "someone else's fstab\n"), "neither file is touched");
        tap_ok(!run.results[1].edits[0].written && !run.b.dir, "nothing written, nothing backed up");
        run_close(&run);
}

/* A partial result (one user's kubeconfig, another's) goes on past a failed edit. */
static void test_partial(bool partial) {
        put(ALICE, "old alice\n");
        put(BOB, "old bob\n");
        struct run run;
        if (!run_open(&run))
                return;
        struct fixer_result *r = result(&run, &kubeconfig);
        r->partial = partial;
        edit(r, ALICE, "old alice\n", "new alice\n");
        edit(r, BOB, "old bob\n", "new bob\n");
        put(ALICE, "alice's own\n");
        commit(&run);

        tap_ok(failed(r, ALICE ": " STALE), partial ? "partial: the failed edit makes the result an error"
                                                    : "not partial: the result fails on its first edit");
        if (partial)
                tap_ok(holds(BOB, "new bob\n") && r->edits[1].written && !r->edits[0].written,
                       "and the edit that does not depend on it is written all the same");
        else
                tap_ok(holds(BOB, "old bob\n") && !r->edits[1].written, "and stops there");
        tap_ok(holds(ALICE, "alice's own\n"), "the file changed behind kubeprep's back is left as it is");
        run_close(&run);
}

/* Between plan and commit, someone else edits, removes or creates the file. */
static void test_stale(void) {
        static const struct {
                const char *planned_from, *meanwhile, *name;
        } cases[] = {
                { "net.ipv4.ip_forward = 0\n", "net.ipv4.ip_forward = 0\n# theirs\n", "edited meanwhile" },
                { "net.ipv4.ip_forward = 0\n", NULL, "removed meanwhile" },
                { NULL, "theirs\n", "created meanwhile" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                put(SYSCTL, cases[i].planned_from);
                struct run run;
                if (!run_open(&run))
                        return;
                struct fixer_result *r = result(&run, &swap);
                edit(r, SYSCTL, cases[i].planned_from, "net.ipv4.ip_forward = 1\n");
                put(SYSCTL, cases[i].meanwhile);
                commit(&run);
                _cleanup_free_ char *name =
                        xasprintf("a file %s is not overwritten (-ESTALE)", cases[i].name);
                tap_ok(failed(r, SYSCTL ": " STALE) && holds(SYSCTL, cases[i].meanwhile) &&
                               !r->edits[0].written,
                       name);
                run_close(&run);
        }

        /* A chain: the file is checked against what its first edit found; both fixers fail. */
        struct run run;
        if (!chain_open(&run))
                return;
        put(CONFIG, "a: 1\nb: 2\n");
        commit(&run);
        tap_ok(failed(&run.results[0], CONFIG ": " STALE) && failed(&run.results[1], CONFIG ": " STALE),
               "a chain's file changed meanwhile, even to its middle bytes: every link fails");
        tap_ok(holds(CONFIG, "a: 1\nb: 2\n"), "and the file is left as it is");
        run_close(&run);
}

/* The manifest of a run with a saved file, a new one and a link: the text cJSON_Print() makes of
 * it, as when the manifest was one cJSON tree. */
static void test_manifest_text(void) {
        put(FSTAB, "old fstab\n");
        put(SYSCTL, NULL);
        struct run run;
        if (!run_open(&run))
                return;
        struct fixer_result *r = result(&run, &swap);
        edit(r, FSTAB, "old fstab\n", "new \"fstab\"\t\n");
        edit(r, SYSCTL, NULL, "net.ipv4.ip_forward = 1\n");
        r = result(&run, &cgroup_driver);
        r->edits = xmalloc(sizeof(*r->edits));
        r->n_edits = 1;
        r->edits[0] = (struct file_edit){
                .path = xstrdup("/etc/systemd/system/swap.target"),
                .kind = EDIT_SYMLINK,
                .new_data = xstrdup("/dev/null"),
                .new_len = strlen("/dev/null"),
                .mode = 0644,
                .uid = (uid_t) -1,
                .gid = (gid_t) -1,
        };
        commit(&run);

        _cleanup_free_ char *path = xasprintf("/var/lib/kubeprep/backups/%s/manifest.json", run.id);
        _cleanup_free_ char *text = get(path);
        cJSON *m = text ? cJSON_Parse(text) : NULL;
        _cleanup_free_ char *printed = m ? cJSON_Print(m) : NULL;
        _cleanup_free_ char *want = printed ? xasprintf("%s\n", printed) : NULL;
        tap_ok(want && streq(text, want), "the manifest is the text cJSON prints of it");
        cJSON *files = cJSON_GetObjectItem(m, "files");
        tap_ok(cJSON_GetArraySize(files) == 3 &&
                       streq_ptr(cJSON_GetStringValue(
                                         cJSON_GetObjectItem(cJSON_GetArrayItem(files, 0), "backup")),
                                 "0") &&
                       streq_ptr(cJSON_GetStringValue(cJSON_GetObjectItem(
                                         cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(files, 2),
                                                                                "written"),
                                                            0),
                                         "target")),
                                 "/dev/null"),
               "an entry a file: the saved copy named, the link's target recorded");
        cJSON_Delete(m);
        run_close(&run);
}

static char *later(const struct fixer_result *r, size_t i) {
        return xasprintf("%s %zu", (const char *) r->later_data, i);
}

static void collect(const char *detail, void *userdata) {
        strv_push(userdata, xstrdup(detail));
}

/* Details made when shown keep their place among those added as text. */
static void test_later_details(void) {
        struct fixer_result r = { .fixer = &kubeconfig, .later_detail = later, .later_data = "later" };
        result_detail(&r, "first");
        result_detail_later(&r);
        result_detail_later(&r);
        result_detail(&r, "between");
        result_detail_later(&r);
        struct strv got = {};
        result_each_detail(&r, collect, &got);
        _cleanup_free_ char *joined = strv_join(&got, "|");
        tap_streq(joined, "first|later 0|later 1|between|later 2", "details in the order they were added");
        strv_free(&got);
        fixer_result_free(&r);
}

int main(void) {
        if (!mkdtemp(tree))
                return tap_ok(false, "mkdtemp"), tap_done();
        test_chain();
        test_failed_link();
        test_partial(true);
        test_partial(false);
        test_stale();
        test_manifest_text();
        test_later_details();
        _cleanup_free_ char *rm = xasprintf("rm -rf %s", tree);
        if (system(rm) != 0)
                tap_diag("cannot remove the scratch tree");
        return tap_done();
}
