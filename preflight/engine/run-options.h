/* SPDX-License-Identifier: MIT */
/* What a run was asked to do: the parsed command line, the only global-like
 * state, passed by pointer. options.c fills it; the engine, the fixers and the
 * verbs read it. */
#pragma once

#include <stdbool.h>

#include "basic/util.h"

enum command {
        CMD_CHECK,
        CMD_APPLY,
        CMD_ROLLBACK,
        CMD_DIAGNOSE,
        CMD_LINT,
        CMD_KUBEADM,
        CMD_LIST,
        CMD_HELP,
        CMD_VERSION,
};

enum output_format {
        OUTPUT_TEXT,
        OUTPUT_JSON,
        OUTPUT_PROMETHEUS, /* node_exporter textfile format */
};

struct options {
        enum command command;
        /* The verb as typed (options.c's table): reports and JSON name the run by it. */
        const char *command_name;
        const char *root;    /* NULL: the live system */
        const char *profile; /* "auto" unless given */
        struct strv only;
        struct strv skip;
        struct strv users;
        const char *kubelet_version;
        const char *control_plane_version;
        const char *kubeadm_config;
        enum output_format output;
        bool dry_run;
        bool no_restart;
        unsigned lock_timeout; /* seconds to wait for another run's lock (apply, rollback) */
        int verbosity;         /* -1 quiet, 0 normal, 1 verbose */
        const char *run_id;    /* rollback's RUN-ID */
        bool fix;              /* lint --fix */
        char **files;          /* lint's FILE... ("-" is stdin), pointing into argv */
        char **kubeadm_args;   /* kubeadm's: everything after "--", pointing into argv */
        size_t n_kubeadm_args;
        size_t n_files;
        const char *journal_dir; /* diagnose: a journal directory on the host */
        const char *log_file;    /* diagnose: plain text instead, "-" for stdin */
        const char *since;       /* diagnose: widen past the boot, as written */
        /* Set by the kubeadm verb for the applies around kubeadm, not from the command line:
         * the version of the kubeadm it runs and where that came from (the node facts report
         * them), and that kubeadm will read the kubeadm patch, which is then written even
         * before anything else of the kubelet is installed. */
        const char *kubeadm_version;
        const char *kubeadm_version_from;
        bool for_kubeadm;
};
