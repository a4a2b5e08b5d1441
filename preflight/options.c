/* SPDX-License-Identifier: MIT */
/* Command-line parsing: `kubeprep VERB [OPTIONS]`, options after the verb in
 * any order, as kubeadm and systemctl take them. What each verb takes is its
 * row in the table of verbs. */
#include "options.h"

#include <getopt.h>

#include "config.h"
#include "diagnose/diagnose.h"
#include "engine/run.h"
#include "kubeadm/kubeadm-hook.h"
#include "lint/lint.h"

static int run_help(const struct options *opts);
static int run_version(const struct options *opts);

/* The verbs, in the order --help lists them. */
static const struct verb verbs[] = {
        {
                .name = "check",
                .command = CMD_CHECK,
                .run = run_check_or_apply,
                .usage = "check    [OPTIONS]",
                .summary = "Audit the node; change nothing",
        },
        {
                .name = "apply",
                .command = CMD_APPLY,
                .run = run_check_or_apply,
                .usage = "apply    [OPTIONS] [--dry-run]",
                .summary = "Fix every difference from the profile",
                .takes = TAKES_DRY_RUN,
        },
        {
                .name = "rollback",
                .command = CMD_ROLLBACK,
                .run = run_rollback,
                .usage = "rollback [--root DIR] [RUN-ID]",
                .summary = "Undo the files changed by a run (default: the last)",
                .operands = OPERAND_RUN_ID,
        },
        {
                .name = "diagnose",
                .command = CMD_DIAGNOSE,
                .run = run_diagnose,
                .usage = "diagnose [--root DIR] [--journal-dir DIR | --log FILE|-] [--since TIME]",
                .summary = "Find known problems in the kubelet's log",
                .takes = TAKES_LOG_SOURCE,
        },
        {
                .name = "lint",
                .command = CMD_LINT,
                .run = run_lint,
                .usage = "lint [--fix] FILE...",
                .summary = "Find hostNetwork pods in workload manifests without\n"
                           "dnsPolicy ClusterFirstWithHostNet (- is stdin)",
                .takes = TAKES_FIX,
                .operands = OPERANDS_FILES,
                .missing = "lint needs at least one FILE (- for stdin)",
        },
        {
                .name = "kubeadm",
                .command = CMD_KUBEADM,
                .run = run_kubeadm_hook,
                .usage = "kubeadm [OPTIONS] -- init|join|upgrade|reset [ARGS...]",
                .summary = "apply, then kubeadm (with --patches from 1.25), then\n"
                           "the fixes for the files kubeadm rewrote",
                .operands = OPERANDS_AFTER_DASHES,
                .missing = "kubeadm needs its arguments after '--', e.g. kubeprep kubeadm -- join ...",
        },
        {
                .name = "list",
                .command = CMD_LIST,
                .run = run_list,
                .usage = "list",
                .summary = "List the fixers",
        },
        {
                .name = "help", /* --help's line names it */
                .command = CMD_HELP,
                .run = run_help,
        },
};

/* --version: not a verb one types, but what the parse may end in all the same. */
static const struct verb version = { .name = "version", .command = CMD_VERSION, .run = run_version };

/* The options only some verbs take, with the usage error for the others, in the order they are
 * checked. */
static const struct {
        unsigned takes;
        const char *message;
} verb_options[] = {
        { TAKES_FIX, "--fix goes with lint" },
        { TAKES_DRY_RUN, "--dry-run goes with apply" },
        { TAKES_LOG_SOURCE, "--journal-dir, --log and --since go with diagnose" },
};

static const struct verb *verb_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(name, verbs[i].name))
                        return &verbs[i];
        return NULL;
}

/* The summary starts in this column of --help, on a line of its own when the usage reaches it. */
#define SUMMARY_COLUMN 44

static void print_verb_help(const struct verb *v) {
        int col = printf("  kubeprep %s", v->usage);
        if (col >= SUMMARY_COLUMN) {
                putchar('\n');
                col = 0;
        }
        for (const char *s = v->summary; *s; col = 0) {
                size_t n = strcspn(s, "\n");
                printf("%*s%.*s\n", SUMMARY_COLUMN - col, "", (int) n, s);
                s += n + (s[n] == '\n');
        }
}

void options_print_help(void) {
        printf("kubeprep %s: get a Linux node ready for kubeadm, and keep it so.\n"
               "\n"
               "Usage:\n",
               KUBEPREP_VERSION);
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (verbs[i].usage)
                        print_verb_help(&verbs[i]);
        fputs("  kubeprep --version | --help\n"
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
              "  -o, --output FORMAT          text (default), json, or prometheus (node_exporter textfile)\n"
              "  -v, --verbose                Also show the details of fixers that are ok, and diffs with "
              "check\n"
              "  -q, --quiet                  Show only problems and the summary\n"
              "  -h, --help                   Show this help\n"
              "      --version                Show the version\n"
              "\n"
              "Exit status: 0 the node complies (or every fix was made), 1 something needs fixing\n"
              "(or could not be fixed), 2 an error: bad usage, a bad profile, or a file kubeprep refused.\n"
              "See kubeprep(8).\n",
              stdout);
}

static int run_help(_unused_ const struct options *opts) {
        options_print_help();
        return 0;
}

static int run_version(_unused_ const struct options *opts) {
        printf("kubeprep %s\n", KUBEPREP_VERSION);
        return 0;
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

/* `kubeprep kubeadm [OPTIONS] -- ARGS...`: what follows the first "--" is that verb's, untouched;
 * kubeprep parses only what comes before it. */
static void split_after_dashes(int *argc, char **argv, struct options *o) {
        for (int i = 1; i < *argc; i++) {
                if (!streq(argv[i], "--"))
                        continue;
                for (int j = 1; j < i; j++) {
                        const struct verb *v = verb_find(argv[j]);
                        if (v && v->operands == OPERANDS_AFTER_DASHES) {
                                o->kubeadm_args = argv + i + 1;
                                o->n_kubeadm_args = (size_t) (*argc - i - 1);
                                *argc = i;
                                break;
                        }
                }
                break;
        }
}

/* The options, wherever they are; getopt moves the operands to the end, in order. Returns 1 when
 * -h or --version ends the parse with *ret_verb set, 0 when the operands follow at optind. */
static int parse_flags(int argc, char **argv, struct options *o, unsigned *ret_given,
                       const struct verb **ret_verb) {
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
        opterr = 0;
        optind = 0; /* glibc: start afresh, also after a parse that stopped inside "-hv" */
        int c;
        while ((c = getopt_long(argc, argv, ":o:vqh", longopts, NULL)) != -1) {
                switch (c) {
                case OPT_ROOT:
                        o->root = optarg;
                        break;
                case OPT_PROFILE:
                        o->profile = optarg;
                        break;
                case OPT_ONLY:
                        split_list(&o->only, optarg);
                        break;
                case OPT_SKIP:
                        split_list(&o->skip, optarg);
                        break;
                case OPT_USER:
                        strv_push(&o->users, xstrdup(optarg));
                        break;
                case OPT_KUBELET_VERSION:
                        o->kubelet_version = optarg;
                        break;
                case OPT_CONTROL_PLANE_VERSION:
                        o->control_plane_version = optarg;
                        break;
                case OPT_KUBEADM_CONFIG:
                        o->kubeadm_config = optarg;
                        break;
                case OPT_DRY_RUN:
                        o->dry_run = true;
                        *ret_given |= TAKES_DRY_RUN;
                        break;
                case OPT_NO_RESTART:
                        o->no_restart = true;
                        break;
                case OPT_FIX:
                        o->fix = true;
                        *ret_given |= TAKES_FIX;
                        break;
                case OPT_LOCK_TIMEOUT:
                        if (parse_seconds(optarg, &o->lock_timeout) < 0)
                                return usage_error("--lock-timeout takes whole seconds, not '%s'", optarg);
                        break;
                case OPT_JOURNAL_DIR:
                        o->journal_dir = optarg;
                        *ret_given |= TAKES_LOG_SOURCE;
                        break;
                case OPT_LOG:
                        o->log_file = optarg;
                        *ret_given |= TAKES_LOG_SOURCE;
                        break;
                case OPT_SINCE:
                        o->since = optarg;
                        *ret_given |= TAKES_LOG_SOURCE;
                        break;
                case 'o':
                        if (streq(optarg, "text"))
                                o->output = OUTPUT_TEXT;
                        else if (streq(optarg, "json"))
                                o->output = OUTPUT_JSON;
                        else if (streq(optarg, "prometheus"))
                                o->output = OUTPUT_PROMETHEUS;
                        else
                                return usage_error("unknown output format '%s' (text, json or prometheus)",
                                                   optarg);
                        break;
                case 'v':
                        o->verbosity = 1;
                        break;
                case 'q':
                        o->verbosity = -1;
                        break;
                case 'h':
                        *ret_verb = verb_find("help");
                        return 1;
                case OPT_VERSION:
                        *ret_verb = &version;
                        return 1;
                case ':':
                        return usage_error("option '%s' needs a value", argv[optind - 1]);
                default:
                        return usage_error("unknown option '%s'", argv[optind - 1]);
                }
        }
        return 0;
}

/* The verb, first of the operands, then its own. */
static int parse_operands(int argc, char **argv, struct options *o, const struct verb **ret_verb) {
        const struct verb *v = NULL;
        for (int i = optind; i < argc; i++) {
                if (!v) {
                        v = verb_find(argv[i]);
                        if (!v)
                                return usage_error("unknown command '%s'", argv[i]);
                } else if (v->operands == OPERANDS_FILES) {
                        /* getopt moved the operands to the end, in order: they are contiguous. */
                        if (!o->files)
                                o->files = argv + i;
                        o->n_files++;
                } else if (v->operands == OPERAND_RUN_ID && !o->run_id)
                        o->run_id = argv[i];
                else
                        return usage_error("unexpected argument '%s'", argv[i]);
        }
        if (!v) {
                struct strv names = {};
                for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                        if (verbs[i].usage)
                                strv_push(&names, xstrdup(verbs[i].name));
                _cleanup_free_ char *list = strv_join(&names, ", ");
                strv_free(&names);
                return usage_error("missing command (%s)", list);
        }
        *ret_verb = v;
        return 0;
}

/* What the verb does not take, and options that do not go together. */
static int check_verb(const struct options *o, const struct verb *v, unsigned given) {
        if (o->kubeadm_args && v->operands != OPERANDS_AFTER_DASHES)
                return usage_error("%s", "arguments after '--' go with the kubeadm command");
        if ((v->operands == OPERANDS_FILES && o->n_files == 0) ||
            (v->operands == OPERANDS_AFTER_DASHES && o->n_kubeadm_args == 0))
                return usage_error("%s", v->missing);
        for (size_t i = 0; i < ELEMENTSOF(verb_options); i++)
                if ((given & verb_options[i].takes) && !(v->takes & verb_options[i].takes))
                        return usage_error("%s", verb_options[i].message);
        if (o->log_file && (o->journal_dir || o->since))
                return usage_error("%s",
                                   "--log reads plain text; it does not go with --journal-dir or --since");
        if (o->only.n && o->skip.n)
                return usage_error("%s", "--only and --skip cannot be combined");
        return 0;
}

int options_parse(int argc, char **argv, struct options *ret, const struct verb **ret_verb) {
        _cleanup_(options_free) struct options o = { .profile = "auto", .lock_timeout = 30 };
        const struct verb *v = NULL;
        unsigned given = 0;

        split_after_dashes(&argc, argv, &o);
        int k = parse_flags(argc, argv, &o, &given, &v);
        if (k == 0)
                k = parse_operands(argc, argv, &o, &v);
        if (k == 0)
                k = check_verb(&o, v, given);
        if (k < 0)
                return k;
        o.command = v->command;
        o.command_name = v->name;
        *ret = o;
        o = (struct options){}; /* *ret has the lists now */
        *ret_verb = v;
        return 0;
}

void options_free(struct options *o) {
        strv_free(&o->only);
        strv_free(&o->skip);
        strv_free(&o->users);
}
