/* SPDX-License-Identifier: MIT */
/* Command-line parsing: `kubeprep VERB [OPTIONS]`, options after the verb in
 * any order, as kubeadm and systemctl take them. */
#include "options.h"

#include <getopt.h>

#include "config.h"

void options_print_help(void) {
        printf("kubeprep %s: get a Linux node ready for kubeadm, and keep it so.\n"
               "\n"
               "Usage:\n"
               "  kubeprep check    [OPTIONS]               Audit the node; change nothing\n"
               "  kubeprep apply    [OPTIONS] [--dry-run]   Fix every difference from the profile\n"
               "  kubeprep rollback [--root DIR] [RUN-ID]   Undo the files changed by a run (default: the "
               "last)\n"
               "  kubeprep diagnose [--root DIR] [--journal-dir DIR | --log FILE|-] [--since TIME]\n"
               "                                            Find known problems in the kubelet's log\n"
               "  kubeprep lint [--fix] FILE...             Find hostNetwork pods in workload manifests "
               "without\n"
               "                                            dnsPolicy ClusterFirstWithHostNet (- is stdin)\n"
               "  kubeprep kubeadm [OPTIONS] -- init|join|reset [ARGS...]\n"
               "                                            apply, then kubeadm with --patches, then the "
               "fixes\n"
               "                                            that need kubeadm's files\n"
               "  kubeprep list                             List the fixers\n"
               "  kubeprep --version | --help\n"
               "\n"
               "Options:\n"
               "      --root DIR               Work on the tree at DIR instead of /; nothing live is "
               "touched\n"
               "      --profile NAME|FILE      Desired state (default: auto = aarch64 on aarch64, else "
               "default)\n"
               "      --only FIXER[,FIXER...]  Run just these fixers\n"
               "      --skip FIXER[,FIXER...]  Run all but these fixers\n"
               "      --user NAME              A non-root user who gets a kubeconfig (repeatable)\n"
               "      --kubelet-version V      The kubelet's version (e.g. v1.22.2), instead of detecting "
               "it\n"
               "      --control-plane-version V\n"
               "                               The control plane's version, instead of detecting it\n"
               "      --kubeadm-config FILE    A kubeadm configuration to read versions from\n"
               "      --dry-run                (apply) Show what would change, as diffs; change nothing\n"
               "      --no-restart             (apply) Do not restart services; say which need it\n"
               "      --lock-timeout SECONDS   (apply, rollback, kubeadm) Wait this long for another run "
               "(default 30)\n"
               "      --fix                    (lint) Set the dnsPolicy in the files, in place\n"
               "      --journal-dir DIR        (diagnose) Read the journal in DIR (default: the node's)\n"
               "      --log FILE|-             (diagnose) Read plain text instead, e.g. pasted journalctl "
               "output\n"
               "      --since TIME             (diagnose) Entries since TIME, not just the last boot\n"
               "                               (\"2024-06-03 08:00\", \"2 days ago\", \"-3h\", \"@EPOCH\")\n"
               "  -o, --output FORMAT          text (default), json, or prometheus (node_exporter "
               "textfile)\n"
               "  -v, --verbose                Also show the details of fixers that are ok, and diffs with "
               "check\n"
               "  -q, --quiet                  Show only problems and the summary\n"
               "  -h, --help                   Show this help\n"
               "      --version                Show the version\n"
               "\n"
               "Exit status: 0 the node complies (or every fix was made), 1 something needs fixing\n"
               "(or could not be fixed), 2 an error: bad usage, a bad profile, or a file kubeprep refused.\n"
               "See kubeprep(8).\n",
               KUBEPREP_VERSION);
}

enum {
        OPT_ROOT = 0x100,
        OPT_PROFILE,
        OPT_ONLY,
        OPT_SKIP,
        OPT_USER,
        OPT_KUBELET_VERSION,
        OPT_CONTROL_PLANE_VERSION,
        OPT_KUBEADM_CONFIG,
        OPT_DRY_RUN,
        OPT_NO_RESTART,
        OPT_LOCK_TIMEOUT,
        OPT_FIX,
        OPT_VERSION,
        OPT_JOURNAL_DIR,
        OPT_LOG,
        OPT_SINCE,
};

/* Longer than a day is no timeout but a mistake. */
#define LOCK_TIMEOUT_MAX 86400

static int parse_seconds(const char *s, unsigned *ret) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (s[0] < '0' || s[0] > '9' || *end || errno || v > LOCK_TIMEOUT_MAX)
                return -EINVAL;
        *ret = (unsigned) v;
        return 0;
}

static void split_list(struct strv *v, const char *arg) {
        _cleanup_free_ char *copy = xstrdup(arg);
        char *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
                if (*t)
                        strv_push(v, xstrdup(t));
}

_printf_(1, 2) static int usage_error(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        fputs("kubeprep: ", stderr);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs("\nTry 'kubeprep --help' for more information.\n", stderr);
        return -EINVAL;
}

static int parse_verb(const char *s, enum command *ret) {
        static const struct {
                const char *name;
                enum command cmd;
        } verbs[] = {
                { "check", CMD_CHECK },     { "apply", CMD_APPLY },       { "rollback", CMD_ROLLBACK },
                { "list", CMD_LIST },       { "help", CMD_HELP },         { "lint", CMD_LINT },
                { "kubeadm", CMD_KUBEADM }, { "diagnose", CMD_DIAGNOSE },
        };
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(s, verbs[i].name)) {
                        *ret = verbs[i].cmd;
                        return 0;
                }
        return -EINVAL;
}

int options_parse(int argc, char **argv, struct options *ret) {
        static const struct option longopts[] = {
                { "root", required_argument, NULL, OPT_ROOT },
                { "profile", required_argument, NULL, OPT_PROFILE },
                { "only", required_argument, NULL, OPT_ONLY },
                { "skip", required_argument, NULL, OPT_SKIP },
                { "user", required_argument, NULL, OPT_USER },
                { "kubelet-version", required_argument, NULL, OPT_KUBELET_VERSION },
                { "control-plane-version", required_argument, NULL, OPT_CONTROL_PLANE_VERSION },
                { "kubeadm-config", required_argument, NULL, OPT_KUBEADM_CONFIG },
                { "dry-run", no_argument, NULL, OPT_DRY_RUN },
                { "fix", no_argument, NULL, OPT_FIX },
                { "no-restart", no_argument, NULL, OPT_NO_RESTART },
                { "lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT },
                { "output", required_argument, NULL, 'o' },
                { "verbose", no_argument, NULL, 'v' },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, OPT_VERSION },
                { "journal-dir", required_argument, NULL, OPT_JOURNAL_DIR },
                { "log", required_argument, NULL, OPT_LOG },
                { "since", required_argument, NULL, OPT_SINCE },
                {},
        };
        struct options o = { .command = CMD_HELP, .profile = "auto", .lock_timeout = 30 };
        bool have_verb = false;

        /* `kubeprep kubeadm [OPTIONS] -- ARGS...`: what follows the first "--" is kubeadm's,
         * untouched; kubeprep parses only what comes before it. */
        for (int i = 1; i < argc; i++) {
                if (!streq(argv[i], "--"))
                        continue;
                for (int j = 1; j < i; j++)
                        if (streq(argv[j], "kubeadm")) {
                                o.kubeadm_args = argv + i + 1;
                                o.n_kubeadm_args = (size_t) (argc - i - 1);
                                argc = i;
                                break;
                        }
                break;
        }

        /* The verb may come first or after global options; getopt permutes the rest. */
        opterr = 0;
        optind = 0; /* glibc: start afresh, also after a parse that stopped inside "-hv" */
        int c;
        while ((c = getopt_long(argc, argv, ":o:vqh", longopts, NULL)) != -1) {
                switch (c) {
                case OPT_ROOT:
                        o.root = optarg;
                        break;
                case OPT_PROFILE:
                        o.profile = optarg;
                        break;
                case OPT_ONLY:
                        split_list(&o.only, optarg);
                        break;
                case OPT_SKIP:
                        split_list(&o.skip, optarg);
                        break;
                case OPT_USER:
                        strv_push(&o.users, xstrdup(optarg));
                        break;
                case OPT_KUBELET_VERSION:
                        o.kubelet_version = optarg;
                        break;
                case OPT_CONTROL_PLANE_VERSION:
                        o.control_plane_version = optarg;
                        break;
                case OPT_KUBEADM_CONFIG:
                        o.kubeadm_config = optarg;
                        break;
                case OPT_DRY_RUN:
                        o.dry_run = true;
                        break;
                case OPT_NO_RESTART:
                        o.no_restart = true;
                        break;
                case OPT_FIX:
                        o.fix = true;
                        break;
                case OPT_LOCK_TIMEOUT:
                        if (parse_seconds(optarg, &o.lock_timeout) < 0) {
                                options_free(&o);
                                return usage_error("--lock-timeout takes whole seconds, not '%s'", optarg);
                        }
                        break;
                case OPT_JOURNAL_DIR:
                        o.journal_dir = optarg;
                        break;
                case OPT_LOG:
                        o.log_file = optarg;
                        break;
                case OPT_SINCE:
                        o.since = optarg;
                        break;
                case 'o':
                        if (streq(optarg, "text"))
                                o.output = OUTPUT_TEXT;
                        else if (streq(optarg, "json"))
                                o.output = OUTPUT_JSON;
                        else if (streq(optarg, "prometheus"))
                                o.output = OUTPUT_PROMETHEUS;
                        else {
                                options_free(&o);
                                return usage_error("unknown output format '%s' (text, json or prometheus)",
                                                   optarg);
                        }
                        break;
                case 'v':
                        o.verbosity = 1;
                        break;
                case 'q':
                        o.verbosity = -1;
                        break;
                case 'h':
                        o.command = CMD_HELP;
                        *ret = o;
                        return 0;
                case OPT_VERSION:
                        o.command = CMD_VERSION;
                        *ret = o;
                        return 0;
                case ':':
                        options_free(&o);
                        return usage_error("option '%s' needs a value", argv[optind - 1]);
                default:
                        options_free(&o);
                        return usage_error("unknown option '%s'", argv[optind - 1]);
                }
        }
        for (int i = optind; i < argc; i++) {
                if (!have_verb) {
                        if (parse_verb(argv[i], &o.command) < 0) {
                                options_free(&o);
                                return usage_error("unknown command '%s'", argv[i]);
                        }
                        have_verb = true;
                } else if (o.command == CMD_LINT) {
                        /* getopt moved the operands to the end, in order: they are contiguous. */
                        if (!o.files)
                                o.files = argv + i;
                        o.n_files++;
                } else if (o.command == CMD_ROLLBACK && !o.run_id)
                        o.run_id = argv[i];
                else {
                        options_free(&o);
                        return usage_error("unexpected argument '%s'", argv[i]);
                }
        }
        if (!have_verb) {
                options_free(&o);
                return usage_error(
                        "%s", "missing command (check, apply, rollback, diagnose, lint, kubeadm, list)");
        }
        if (o.command == CMD_KUBEADM && o.n_kubeadm_args == 0) {
                options_free(&o);
                return usage_error(
                        "%s", "kubeadm needs its arguments after '--', e.g. kubeprep kubeadm -- join ...");
        }
        if (o.kubeadm_args && o.command != CMD_KUBEADM) {
                options_free(&o);
                return usage_error("%s", "arguments after '--' go with the kubeadm command");
        }
        if (o.fix && o.command != CMD_LINT) {
                options_free(&o);
                return usage_error("%s", "--fix goes with lint");
        }
        if (o.command == CMD_LINT && o.n_files == 0) {
                options_free(&o);
                return usage_error("%s", "lint needs at least one FILE (- for stdin)");
        }
        if (o.dry_run && o.command != CMD_APPLY) {
                options_free(&o);
                return usage_error("%s", "--dry-run goes with apply");
        }
        if ((o.journal_dir || o.log_file || o.since) && o.command != CMD_DIAGNOSE) {
                options_free(&o);
                return usage_error("%s", "--journal-dir, --log and --since go with diagnose");
        }
        if (o.log_file && (o.journal_dir || o.since)) {
                options_free(&o);
                return usage_error("%s",
                                   "--log reads plain text; it does not go with --journal-dir or --since");
        }
        if (o.only.n && o.skip.n) {
                options_free(&o);
                return usage_error("%s", "--only and --skip cannot be combined");
        }
        *ret = o;
        return 0;
}

void options_free(struct options *o) {
        strv_free(&o->only);
        strv_free(&o->skip);
        strv_free(&o->users);
}
