/* SPDX-License-Identifier: MIT */
/* The kubeadm hook (see kubeadm-hook.h). kubeadm is run as a child, with the
 * user's arguments unchanged plus --patches for init and join. */
#include "kubeadm/kubeadm-hook.h"

#include <sys/wait.h>

#include "engine/run.h"
#include "fixers/shared/kubelet-files.h"
#include "formats/redact.h"

static bool has_patches_flag(const struct options *opts) {
        for (size_t i = 0; i < opts->n_kubeadm_args; i++)
                if (streq(opts->kubeadm_args[i], "--patches") ||
                    startswith(opts->kubeadm_args[i], "--patches="))
                        return true;
        return false;
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

/* The runs before and after kubeadm are kubeprep apply's, and report as apply does. */
static struct options as_apply(const struct options *opts) {
        struct options o = *opts;
        o.command = CMD_APPLY;
        o.command_name = "apply";
        return o;
}

int run_kubeadm_hook(const struct options *opts) {
        const char *sub = opts->kubeadm_args[0];
        bool writes_kubelet = streq(sub, "init") || streq(sub, "join");
        if (!writes_kubelet && !streq(sub, "reset"))
                return fail_early(opts, 2, "kubeprep kubeadm runs kubeadm init, join or reset, not '%s'",
                                  sub);
        _cleanup_free_ char *kubeadm = find_in_path("kubeadm");
        if (!kubeadm)
                return fail_early(opts, 2, "%s",
                                  "kubeadm not found in PATH: install the kubeadm package first");

        /* 1. Fix the node. An error (exit 2) stops here: kubeadm would meet the same problem. */
        struct options o = as_apply(opts);
        o.kubeadm_verb = sub;
        int k = run_check_or_apply(&o);
        if (k == 2)
                return fail_early(opts, 2, "%s", "not running kubeadm: kubeprep apply failed (see above)");
        if (k == 1 && opts->verbosity >= 0)
                printf("[kubeadm] kubeprep could not fix everything (see above); running kubeadm anyway\n");

        /* 2. kubeadm, keeping kubeprep's KubeletConfiguration settings through --patches. */
        _cleanup_free_ char *patches = NULL;
        if (writes_kubelet && !has_patches_flag(opts))
                patches = xasprintf("%s%s", opts->root && !streq(opts->root, "/") ? opts->root : "",
                                    KUBEPREP_PATCHES_DIR);
        if (patches && access(patches, F_OK) < 0)
                patches = (free(patches), NULL); /* nothing to keep; kubeadm refuses a missing dir */
        int rc = run_kubeadm(kubeadm, opts, patches);
        if (rc != 0 || !writes_kubelet) {
                if (rc != 0)
                        fprintf(stderr,
                                "kubeprep: kubeadm %s exited %d; the after-kubeadm fixes were skipped\n",
                                sub, rc);
                return rc;
        }

        /* 3. What needs kubeadm's files: kubeconfigs from admin.conf, eviction flags in the new
         * kubeadm-flags.env (of those the user selected). Their kubelet restart is the one
         * restart after kubeadm. */
        static const char *const after[] = { "kubeconfig", "eviction" };
        o = as_apply(opts);
        o.only = (struct strv){};
        o.skip = (struct strv){};
        for (size_t i = 0; i < ELEMENTSOF(after); i++)
                if (opts->only.n ? strv_contains(&opts->only, after[i])
                                 : !strv_contains(&opts->skip, after[i]))
                        strv_push(&o.only, xstrdup(after[i]));
        k = o.only.n ? run_check_or_apply(&o) : 0;
        strv_free(&o.only);
        return k;
}
