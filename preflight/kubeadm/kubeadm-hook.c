/* SPDX-License-Identifier: MIT */
/* The kubeadm hook (see kubeadm-hook.h). kubeadm is run as a child, with the
 * user's arguments unchanged plus --patches when that kubeadm applies
 * kubeletconfiguration patches (docs/kubernetes-facts.md §2); after it, every
 * fixer that reads the files kubeadm rewrote runs again. */
#include "kubeadm/kubeadm-hook.h"

#include <fcntl.h>
#include <sys/wait.h>

#include "config.h"
#include "engine/datadir.h"
#include "engine/run.h"
#include "fixers/shared/kubelet-files.h"
#include "formats/manifest.h"
#include "formats/redact.h"

/* kubeprep's patch in a directory of the user's: kubeadm reads a target's files in lexical
 * order, and '~' sorts after every suffix a user would write, so it applies last, as the
 * after-kubeadm step would set it anyway. */
#define PATCH_COPY_NAME "kubeletconfiguration~kubeprep+merge.yaml"
#define PATCH_COPY_MARK "# Written by kubeprep"

/* What kubeadm is asked to do, and what kubeprep found out about it. */
struct kubeadm_call {
        const char *kubeadm;                      /* the path run */
        const char *sub;                          /* "join", "upgrade node", ... */
        const char *config_kind, *config_section; /* where a --config names its patches */
        bool writes_kubelet;                      /* init, join, upgrade: config.yaml rewritten */
        bool known;                               /* version is kubeadm's own answer */
        struct kversion version;
        char *version_text;
        char *version_note; /* why the version is unknown */
};

/* The value of --NAME VALUE or --NAME=VALUE in kubeadm's arguments, NULL when absent. */
static const char *kubeadm_flag(const struct options *opts, const char *name) {
        size_t l = strlen(name);
        for (size_t i = 0; i < opts->n_kubeadm_args; i++) {
                const char *a = opts->kubeadm_args[i];
                if (!startswith(a, "--") || strncmp(a + 2, name, l) != 0)
                        continue;
                if (a[2 + l] == '=')
                        return a + 3 + l;
                if (a[2 + l] == 0 && i + 1 < opts->n_kubeadm_args)
                        return opts->kubeadm_args[i + 1];
        }
        return NULL;
}

/* kubeadm from PATH, so that a missing one is a clear error before anything runs. */
static char *find_in_path(const char *name) {
        const char *path = getenv("PATH");
        _cleanup_free_ char *copy =
                xstrdup(path && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin");
        char *save = NULL;
        for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                _cleanup_free_ char *p = xasprintf("%s/%s", *dir ? dir : ".", name);
                if (access(p, X_OK) == 0)
                        return TAKE_PTR(p);
        }
        return NULL;
}

/* init, join, reset, upgrade apply|node; anything else is refused before anything runs. */
static bool parse_subcommand(const struct options *opts, struct kubeadm_call *c) {
        const char *a = opts->kubeadm_args[0], *b = opts->n_kubeadm_args > 1 ? opts->kubeadm_args[1] : "";
        if (streq(a, "init") || streq(a, "join")) {
                c->sub = a;
                c->config_kind = streq(a, "init") ? "InitConfiguration" : "JoinConfiguration";
                c->writes_kubelet = true;
        } else if (streq(a, "upgrade") && (streq(b, "apply") || streq(b, "node"))) {
                c->sub = streq(b, "apply") ? "upgrade apply" : "upgrade node";
                c->config_kind = "UpgradeConfiguration";
                c->config_section = b;
                c->writes_kubelet = true;
        } else if (streq(a, "reset"))
                c->sub = a;
        return c->sub != NULL;
}

/* `kubeadm version -o short` of the kubeadm that will run: what it supports decides --patches. */
static void query_version(struct kubeadm_call *c) {
        int k = kubeadm_version_exec(c->kubeadm, &c->version);
        if (k >= 0) {
                c->known = true;
                c->version_text = version_to_string(&c->version);
        } else if (k == -ETIME)
                c->version_note = xstrdup("'kubeadm version -o short' did not answer within 2 s");
        else if (k == -EINVAL)
                c->version_note = xstrdup("'kubeadm version -o short' printed no version");
        else
                c->version_note = xasprintf("'kubeadm version -o short' failed: %s", strerror(-k));
}

_printf_(2, 3) static void say(const struct options *opts, const char *fmt, ...) {
        if (opts->verbosity < 0)
                return;
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *line = xvasprintf(fmt, ap);
        va_end(ap);
        _cleanup_free_ char *shown = redact_for_terminal(line);
        printf("[kubeadm] %s\n", shown);
        fflush(stdout);
}

/* Put kubeprep's patch into the user's patch directory. A file of that name that kubeprep
 * did not write is left alone. */
static int copy_patch(const char *data, size_t len, const char *dir, char **ret_error) {
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) {
                set_error(ret_error, "cannot open %s: %s", dir, strerror(errno));
                return -errno;
        }
        _cleanup_close_ int fd =
                openat(dfd, PATCH_COPY_NAME, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0 && errno != ENOENT) {
                set_error(ret_error, "%s/%s: %s", dir, PATCH_COPY_NAME, strerror(errno));
                return -errno;
        }
        if (fd >= 0) {
                _cleanup_free_ char *old = NULL;
                size_t old_len;
                int k = read_fd_whole(fd, &old, &old_len, NULL);
                if (k < 0) {
                        set_error(ret_error, "%s/%s: %s", dir, PATCH_COPY_NAME, read_strerror(k));
                        return k;
                }
                if (!startswith(old, PATCH_COPY_MARK)) {
                        set_error(ret_error,
                                  "%s/%s exists and was not written by kubeprep; not replacing it", dir,
                                  PATCH_COPY_NAME);
                        return -EEXIST;
                }
                if (old_len == len && memcmp(old, data, len) == 0)
                        return 0;
        }
        int k = write_file_atomic_at(dfd, PATCH_COPY_NAME, data, len, 0644, geteuid(), getegid());
        if (k < 0)
                set_error(ret_error, "cannot write %s/%s: %s", dir, PATCH_COPY_NAME, strerror(-k));
        return k < 0 ? k : 1;
}

/* Read kubeprep's patch from the node (NULL when there is none) and copy it into dir. */
static void copy_patch_into(const struct options *opts, const char *dir, const char *why) {
        struct root *root = NULL;
        _cleanup_free_ char *data = NULL, *err = NULL;
        size_t len;
        int k = root_open(opts->root ? opts->root : "/", !opts->root, &root);
        if (k >= 0)
                k = root_read_file(root, KUBELET_CONFIG_PATCH, &data, &len, NULL);
        root_free(root);
        if (k == -ENOENT)
                return; /* nothing to keep */
        if (k < 0) {
                say(opts, "cannot read %s: %s; the after-kubeadm step fixes config.yaml",
                    KUBELET_CONFIG_PATCH, read_strerror(k));
                return;
        }
        k = copy_patch(data, len, dir, &err);
        if (k < 0)
                say(opts,
                    "kubeprep's patch was not copied into %s (%s): %s; the after-kubeadm step fixes "
                    "config.yaml",
                    dir, why, err);
        else
                say(opts,
                    "kubeprep's patch %s %s/%s (%s), applied after your own kubeletconfiguration patches",
                    k > 0 ? "copied to" : "already in", dir, PATCH_COPY_NAME, why);
}

/* With --config, kubeadm (1.23 and later) refuses --patches: the config names the directory. */
static void patches_with_config(const struct options *opts, const struct kubeadm_call *c,
                                const char *config) {
        _cleanup_free_ char *text = NULL, *dir = NULL, *err = NULL;
        size_t len;
        int k = read_host_file(config, &text, &len);
        if (k >= 0)
                k = kubeadm_config_patches_dir(text, len, c->config_kind, c->config_section, &dir, &err);
        if (k < 0) {
                say(opts,
                    "cannot read the patches directory of --config %s: %s; the after-kubeadm step fixes "
                    "config.yaml",
                    config, err ? err : strerror(-k));
                return;
        }
        if (k > 0) {
                _cleanup_free_ char *why = xasprintf("the patches directory of --config %s", config);
                copy_patch_into(opts, dir, why);
                return;
        }
        say(opts,
            "kubeadm refuses --patches next to --config: to keep kubeprep's kubelet settings through "
            "kubeadm, "
            "add 'patches: {directory: %s}' to the %s%s%s in %s; until then the after-kubeadm step fixes "
            "config.yaml",
            KUBEPREP_PATCHES_DIR, c->config_section ? c->config_section : "",
            c->config_section ? " section of the " : "", c->config_kind, config);
}

/* The --patches directory kubeprep adds, or NULL (saying why, when it matters). */
static char *patches_to_pass(const struct options *opts, const struct kubeadm_call *c) {
        if (!c->writes_kubelet)
                return NULL;
        if (!c->known) {
                say(opts,
                    "kubeadm's version is unknown (%s): not passing --patches; the after-kubeadm step fixes "
                    "config.yaml",
                    c->version_note);
                return NULL;
        }
        if (!version_at_least(&c->version, 1, 22)) {
                say(opts,
                    "kubeadm %s has no --patches (1.22 and later have it, kubeletconfiguration patches from "
                    "1.25): "
                    "the after-kubeadm step fixes config.yaml",
                    c->version_text);
                return NULL;
        }
        const char *user = kubeadm_flag(opts, "patches"), *config = kubeadm_flag(opts, "config");
        if (!version_at_least(&c->version, 1, 25)) {
                say(opts,
                    "kubeadm %s does not apply kubeletconfiguration patches (1.25 and later do): %s; the "
                    "after-kubeadm step fixes config.yaml",
                    c->version_text,
                    user ? "kubeprep's patch is not copied into your --patches directory"
                         : "not passing --patches");
                return NULL;
        }
        if (user) {
                copy_patch_into(opts, user, "your --patches directory");
                return NULL;
        }
        if (config) {
                patches_with_config(opts, c, config);
                return NULL;
        }
        _cleanup_free_ char *dir = xasprintf("%s%s", opts->root && !streq(opts->root, "/") ? opts->root : "",
                                             KUBEPREP_PATCHES_DIR);
        _cleanup_free_ char *patch = xasprintf("%s/%s", dir, strrchr(KUBELET_CONFIG_PATCH, '/') + 1);
        if (access(patch, F_OK) < 0)
                return NULL; /* nothing to keep (its fixers were skipped); kubeadm refuses a missing dir */
        return TAKE_PTR(dir);
}

static int run_kubeadm(const char *kubeadm, const struct options *opts, const char *patches) {
        size_t n = 0;
        const char **argv = xmalloc((opts->n_kubeadm_args + 4) * sizeof(char *));
        argv[n++] = "kubeadm";
        for (size_t i = 0; i < opts->n_kubeadm_args; i++)
                argv[n++] = opts->kubeadm_args[i];
        if (patches) {
                argv[n++] = "--patches";
                argv[n++] = patches;
        }
        argv[n] = NULL;
        if (opts->verbosity >= 0) {
                /* A join's --token and --certificate-key end up in logs too: shown masked, as in reports. */
                struct buf line = {};
                buf_puts(&line, kubeadm);
                for (size_t i = 1; i < n; i++)
                        buf_printf(&line, " %s", argv[i]);
                _cleanup_free_ char *shown = redact_for_terminal(line.data);
                buf_free(&line);
                printf("[kubeadm] Running %s\n", shown);
        }
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
                free(argv);
                return fail_early(opts, 2, "cannot start kubeadm: %s", strerror(errno));
        }
        if (pid == 0) {
                execv(kubeadm, (char *const *) argv);
                fprintf(stderr, "kubeprep: cannot run %s: %s\n", kubeadm, strerror(errno));
                _exit(127);
        }
        free(argv);
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return fail_early(opts, 2, "cannot wait for kubeadm: %s", strerror(errno));
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The runs before and after kubeadm are kubeprep apply's, and report as apply does; the node
 * facts show the version of the kubeadm that runs, and the kubeadm patch is written for it. */
static struct options as_apply(const struct options *opts, const struct kubeadm_call *c) {
        struct options o = *opts;
        o.command = CMD_APPLY;
        o.command_name = "apply";
        o.for_kubeadm = c->writes_kubelet;
        o.kubeadm_version = c->version_text;
        o.kubeadm_version_from = c->known ? "kubeadm version -o short" : NULL;
        return o;
}

/* 3. Every fixer that reads what kubeadm rewrote (the kubelet's config.yaml and
 * kubeadm-flags.env, and admin.conf for kubeconfig), of those the user selected. Their
 * kubelet restart is the one restart after kubeadm (which started the kubelet on its own
 * files, or, for upgrade, left it running on the old ones). */
static int after_kubeadm(const struct options *opts, const struct kubeadm_call *c) {
        _cleanup_free_ char *list = xstrdup(KUBELET_SIDE_FIXERS ",kubeconfig");
        struct options o = as_apply(opts, c);
        o.only = (struct strv){};
        o.skip = (struct strv){};
        char *save = NULL;
        for (char *f = strtok_r(list, ",", &save); f; f = strtok_r(NULL, ",", &save))
                if (opts->only.n ? strv_contains(&opts->only, f) : !strv_contains(&opts->skip, f))
                        strv_push(&o.only, xstrdup(f));
        int k = o.only.n ? run_check_or_apply(&o) : 0;
        strv_free(&o.only);
        return k;
}

static void kubeadm_call_done(struct kubeadm_call *c) {
        free(c->version_text);
        free(c->version_note);
}

int run_kubeadm_hook(const struct options *opts) {
        struct kubeadm_call c = {};
        if (!parse_subcommand(opts, &c))
                return fail_early(
                        opts, 2,
                        "kubeprep kubeadm runs kubeadm init, join, upgrade apply|node or reset, not '%s'",
                        opts->kubeadm_args[0]);
        _cleanup_free_ char *kubeadm = find_in_path("kubeadm");
        if (!kubeadm)
                return fail_early(opts, 2, "%s",
                                  "kubeadm not found in PATH: install the kubeadm package first");
        c.kubeadm = kubeadm;
        if (c.writes_kubelet)
                query_version(&c);

        /* 1. Fix the node. An error (exit 2) stops here: kubeadm would meet the same problem. */
        struct options o = as_apply(opts, &c);
        int k = run_check_or_apply(&o);
        if (k == 2) {
                kubeadm_call_done(&c);
                return fail_early(opts, 2, "%s", "not running kubeadm: kubeprep apply failed (see above)");
        }
        if (k == 1 && opts->verbosity >= 0)
                printf("[kubeadm] kubeprep could not fix everything (see above); running kubeadm anyway\n");

        /* 2. kubeadm, keeping kubeprep's KubeletConfiguration settings through --patches. */
        _cleanup_free_ char *patches = patches_to_pass(opts, &c);
        int rc = run_kubeadm(kubeadm, opts, patches);
        if (rc != 0 || !c.writes_kubelet) {
                if (rc != 0)
                        fprintf(stderr,
                                "kubeprep: kubeadm %s exited %d; the after-kubeadm fixes were skipped\n",
                                c.sub, rc);
                kubeadm_call_done(&c);
                return rc;
        }

        k = after_kubeadm(opts, &c);
        kubeadm_call_done(&c);
        return k;
}
