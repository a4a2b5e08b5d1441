/* SPDX-License-Identifier: MIT */
/* The command line as options_parse() reads it: every verb, every option, the
 * operands (lint's files, rollback's RUN-ID, kubeadm's arguments after "--"),
 * and every usage error word for word, as scripts match them. */
#include "diagnose/diagnose.h"
#include "engine/run.h"
#include "kubeadm/kubeadm-hook.h"
#include "lint/lint.h"
#include "options.h"
#include "tap.h"

#define TRY "\nTry 'kubeprep --help' for more information.\n"

static const struct verb *verb; /* the last parse's */

/* What goes to *stream (stdout, stderr) between capture() and captured(), in memory. */
struct capture {
        FILE **stream, *saved;
        char *text;
        size_t len;
};
static void capture(struct capture *c, FILE **stream) {
        *c = (struct capture){ .stream = stream, .saved = *stream };
        *stream = open_memstream(&c->text, &c->len);
}
static char *captured(struct capture *c) {
        fclose(*c->stream);
        *c->stream = c->saved;
        return c->text;
}

/* Parse a NULL-terminated argument list (argv[0] added); *ret_err gets what went to stderr. */
static int parse_args(const char *const *args, struct options *o, char **ret_err) {
        char *argv[64] = { (char *) "kubeprep" };
        int argc = 1;
        for (; args[argc - 1]; argc++)
                argv[argc] = (char *) args[argc - 1];
        struct capture c;
        capture(&c, &stderr);
        verb = NULL;
        int k = options_parse(argc, argv, o, &verb);
        *ret_err = captured(&c);
        return k;
}
#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* The parse succeeds, without a word on stderr. */
static bool parses(const char *const *args, struct options *o, const char *name) {
        _cleanup_free_ char *err = NULL;
        int k = parse_args(args, o, &err);
        if (k < 0 || *err)
                tap_diag_text("stderr", err);
        return tap_ok(k == 0 && !*err, name);
}

/* The parse fails with exactly this usage error. */
static void refuses(const char *const *args, const char *message, const char *name) {
        struct options o;
        _cleanup_free_ char *err = NULL;
        int k = parse_args(args, &o, &err);
        _cleanup_free_ char *want = xasprintf("kubeprep: %s" TRY, message);
        tap_ok(k == -EINVAL, name);
        tap_streq(err, want, name);
}

/* The name reports give the run: the verb's, as typed. */
static const char *name_of(const struct options *o) {
        return o->command_name;
}

/* What a verb's run prints on stdout, and its exit code. */
static char *run_capture_stdout(const struct options *o, int *ret_rc) {
        struct capture c;
        capture(&c, &stdout);
        *ret_rc = verb->run(o);
        return captured(&c);
}

static void test_verbs(void) {
        const struct {
                const char *const *args;
                enum command command;
                int (*run)(const struct options *opts);
        } verbs[] = {
                { ARGS("check"), CMD_CHECK, run_check_or_apply },
                { ARGS("apply"), CMD_APPLY, run_check_or_apply },
                { ARGS("rollback"), CMD_ROLLBACK, run_rollback },
                { ARGS("diagnose"), CMD_DIAGNOSE, run_diagnose },
                { ARGS("lint", "a.yaml"), CMD_LINT, run_lint },
                { ARGS("kubeadm", "--", "join"), CMD_KUBEADM, run_kubeadm_hook },
                { ARGS("list"), CMD_LIST, run_list },
        };
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                struct options o;
                const char *arg = verbs[i].args[0];
                _cleanup_free_ char *name = xasprintf("'%s' is a verb", arg);
                if (parses(verbs[i].args, &o, name)) {
                        tap_ok(o.command == verbs[i].command && streq(name_of(&o), arg) &&
                                       streq(verb->name, arg),
                               "and reports name the run by it");
                        tap_ok(verb->run == verbs[i].run, "and it runs its verb");
                        options_free(&o);
                }
        }
        struct options o;
        if (parses(ARGS("help"), &o, "'help' is a verb")) {
                int rc;
                _cleanup_free_ char *out = run_capture_stdout(&o, &rc);
                tap_ok(o.command == CMD_HELP && streq(name_of(&o), "help") && rc == 0 &&
                               startswith(out, "kubeprep 0.1.0: get a Linux node ready"),
                       "that prints the help");
                options_free(&o);
        }
        if (parses(ARGS("--root", "/srv/node", "-q", "check"), &o, "the verb may follow options")) {
                tap_ok(o.command == CMD_CHECK && streq(o.root, "/srv/node") && o.verbosity == -1,
                       "and those options count");
                options_free(&o);
        }
        refuses(ARGS("frobnicate"), "unknown command 'frobnicate'", "an unknown verb");
        refuses(ARGS("version"), "unknown command 'version'", "version is --version, not a verb");
        refuses(ARGS("--root", "/"),
                "missing command (check, apply, rollback, diagnose, lint, kubeadm, list)",
                "no verb: the verbs are listed");
        refuses(ARGS("check", "extra"), "unexpected argument 'extra'", "check takes no operand");
        refuses(ARGS("list", "x"), "unexpected argument 'x'", "list takes none");
        refuses(ARGS("help", "apply"), "unexpected argument 'apply'", "help takes none");
        refuses(ARGS("diagnose", "kubelet.log"), "unexpected argument 'kubelet.log'", "diagnose takes none");
}

static void test_help_version(void) {
        struct options o;
        if (parses(ARGS("--help"), &o, "--help")) {
                tap_ok(o.command == CMD_HELP, "is help");
                options_free(&o);
        }
        if (parses(ARGS("check", "-h", "--bogus"), &o, "-h stops the parse: what follows is not read")) {
                tap_ok(o.command == CMD_HELP && streq(verb->name, "help"), "help, not check");
                options_free(&o);
        }
        if (parses(ARGS("--version"), &o, "--version")) {
                int rc;
                _cleanup_free_ char *out = run_capture_stdout(&o, &rc);
                tap_ok(o.command == CMD_VERSION && rc == 0, "is the version");
                tap_streq(out, "kubeprep 0.1.0\n", "which it prints");
                options_free(&o);
        }
        if (parses(ARGS("lint", "--version"), &o, "--version after a verb")) {
                tap_ok(o.command == CMD_VERSION, "is the version too");
                options_free(&o);
        }
        refuses(ARGS("check", "--bogus", "--help"), "unknown option '--bogus'",
                "an unknown option before --help is an error");
        /* -h in the middle of a group: the next parse starts afresh, not with the rest of it. */
        if (parses(ARGS("-hv"), &o, "-hv"))
                options_free(&o);
        if (parses(ARGS("check"), &o, "a parse after -hv")) {
                tap_ok(o.command == CMD_CHECK && o.verbosity == 0, "does not see the -v left over");
                options_free(&o);
        }
}

static void test_options(void) {
        struct options o;
        if (parses(ARGS("check"), &o, "check alone")) {
                tap_ok(!o.root && streq(o.profile, "auto") && o.lock_timeout == 30 &&
                               o.output == OUTPUT_TEXT && o.verbosity == 0 && !o.dry_run && !o.no_restart &&
                               !o.only.n && !o.skip.n && !o.users.n && !o.run_id && !o.n_files &&
                               !o.kubeadm_args,
                       "the defaults: the live root, profile auto, a 30 s lock timeout, text");
                options_free(&o);
        }
        if (parses(ARGS("apply", "--root", "/srv/node", "--profile", "edge.yaml", "--only", "swap,,eviction",
                        "--user", "alice", "--user=bob", "--kubelet-version", "v1.22.2",
                        "--control-plane-version", "1.23.0", "--kubeadm-config", "kubeadm.yaml", "--dry-run",
                        "--no-restart", "--lock-timeout", "0", "-o", "json", "-v"),
                   &o, "apply with every option it takes")) {
                tap_ok(o.command == CMD_APPLY && streq(o.root, "/srv/node") && streq(o.profile, "edge.yaml"),
                       "--root and --profile");
                tap_ok(o.only.n == 2 && streq(o.only.items[0], "swap") && streq(o.only.items[1], "eviction"),
                       "--only is split at commas, empty names dropped");
                tap_ok(o.users.n == 2 && streq(o.users.items[0], "alice") && streq(o.users.items[1], "bob"),
                       "--user repeats, also as --user=NAME");
                tap_ok(streq(o.kubelet_version, "v1.22.2") && streq(o.control_plane_version, "1.23.0") &&
                               streq(o.kubeadm_config, "kubeadm.yaml"),
                       "the version options, as given");
                tap_ok(o.dry_run && o.no_restart && o.lock_timeout == 0 && o.output == OUTPUT_JSON &&
                               o.verbosity == 1,
                       "--dry-run, --no-restart, --lock-timeout 0, -o json, -v");
                options_free(&o);
        }
        if (parses(ARGS("check", "--skip", "gateway,sysctl", "--output=prometheus", "-q", "--lock-timeout",
                        "86400"),
                   &o, "check --skip, --output=prometheus, -q, the longest lock timeout")) {
                tap_ok(o.skip.n == 2 && streq(o.skip.items[1], "sysctl") && o.output == OUTPUT_PROMETHEUS &&
                               o.verbosity == -1 && o.lock_timeout == 86400,
                       "all read");
                options_free(&o);
        }
        if (parses(ARGS("check", "-q", "-v", "--output", "text"), &o, "-q then -v")) {
                tap_ok(o.verbosity == 1 && o.output == OUTPUT_TEXT, "the last one counts");
                options_free(&o);
        }
        if (parses(ARGS("check", "--only", ",", "--skip", "swap"), &o, "--only with no names")) {
                tap_ok(o.only.n == 0 && o.skip.n == 1, "is no --only: --skip may go with it");
                options_free(&o);
        }
        if (parses(ARGS("diagnose", "--journal-dir", "/var/log/journal", "--since", "-3h", "--root", "/t"),
                   &o, "diagnose --journal-dir --since")) {
                tap_ok(streq(o.journal_dir, "/var/log/journal") && streq(o.since, "-3h") && !o.log_file,
                       "both read");
                options_free(&o);
        }
        if (parses(ARGS("diagnose", "--log", "-"), &o, "diagnose --log -")) {
                tap_ok(streq(o.log_file, "-"), "stdin");
                options_free(&o);
        }

        refuses(ARGS("check", "--bogus"), "unknown option '--bogus'", "an unknown long option");
        refuses(ARGS("check", "-x"), "unknown option '-x'", "an unknown short option");
        refuses(ARGS("check", "--root"), "option '--root' needs a value", "--root without a value");
        refuses(ARGS("check", "-o"), "option '-o' needs a value", "-o without a value");
        refuses(ARGS("check", "-o", "yaml"), "unknown output format 'yaml' (text, json or prometheus)",
                "an unknown output format");
        refuses(ARGS("check", "--lock-timeout", "3x"), "--lock-timeout takes whole seconds, not '3x'",
                "--lock-timeout with a unit");
        refuses(ARGS("check", "--lock-timeout", "-1"), "--lock-timeout takes whole seconds, not '-1'",
                "a negative --lock-timeout");
        refuses(ARGS("check", "--lock-timeout", "86401"), "--lock-timeout takes whole seconds, not '86401'",
                "--lock-timeout over a day");
        refuses(ARGS("check", "--lock-timeout", ""), "--lock-timeout takes whole seconds, not ''",
                "an empty --lock-timeout");
        refuses(ARGS("check", "-o", "yaml", "--bogus"),
                "unknown output format 'yaml' (text, json or prometheus)",
                "the first error in the arguments is the one named");
}

/* Options that go with one verb, and options that do not go together; in the order they are checked. */
static void test_conflicts(void) {
        refuses(ARGS("check", "--dry-run"), "--dry-run goes with apply", "check --dry-run");
        refuses(ARGS("rollback", "--dry-run"), "--dry-run goes with apply", "rollback --dry-run");
        refuses(ARGS("check", "--fix"), "--fix goes with lint", "check --fix");
        refuses(ARGS("list", "--fix", "--dry-run"), "--fix goes with lint",
                "--fix is checked before --dry-run");
        refuses(ARGS("check", "--journal-dir", "/j"), "--journal-dir, --log and --since go with diagnose",
                "check --journal-dir");
        refuses(ARGS("apply", "--log", "x"), "--journal-dir, --log and --since go with diagnose",
                "apply --log");
        refuses(ARGS("check", "--since", "-1h"), "--journal-dir, --log and --since go with diagnose",
                "check --since");
        refuses(ARGS("lint", "--dry-run"), "lint needs at least one FILE (- for stdin)",
                "lint's missing FILE is named before --dry-run");
        refuses(ARGS("diagnose", "--log", "x", "--since", "y"),
                "--log reads plain text; it does not go with --journal-dir or --since",
                "--log with --since");
        refuses(ARGS("diagnose", "--log", "x", "--journal-dir", "y"),
                "--log reads plain text; it does not go with --journal-dir or --since",
                "--log with --journal-dir");
        refuses(ARGS("check", "--only", "swap", "--skip", "swap"), "--only and --skip cannot be combined",
                "--only with --skip");
        refuses(ARGS("apply", "--only", "swap", "--skip", "x", "--dry-run"),
                "--only and --skip cannot be combined", "--only with --skip on apply --dry-run");
        refuses(ARGS("check", "--dry-run", "--only", "a", "--skip", "b"), "--dry-run goes with apply",
                "a verb's option is checked before --only with --skip");
}

static void test_lint(void) {
        struct options o;
        if (parses(ARGS("lint", "a.yaml", "--fix", "b.yaml", "-"), &o,
                   "lint FILE... with --fix among them")) {
                tap_ok(o.fix && o.n_files == 3 && streq(o.files[0], "a.yaml") &&
                               streq(o.files[1], "b.yaml") && streq(o.files[2], "-"),
                       "the files in order, - among them");
                options_free(&o);
        }
        if (parses(ARGS("lint", "--", "--fix"), &o, "lint -- --fix")) {
                tap_ok(!o.fix && o.n_files == 1 && streq(o.files[0], "--fix"),
                       "after --, a file named --fix");
                options_free(&o);
        }
        refuses(ARGS("lint"), "lint needs at least one FILE (- for stdin)", "lint without a file");
        refuses(ARGS("lint", "--fix"), "lint needs at least one FILE (- for stdin)",
                "lint --fix without a file");
}

static void test_rollback(void) {
        struct options o;
        if (parses(ARGS("rollback"), &o, "rollback")) {
                tap_ok(!o.run_id, "the last run");
                options_free(&o);
        }
        if (parses(ARGS("rollback", "--root", "/t", "20240603T080000.000001Z"), &o, "rollback RUN-ID")) {
                tap_ok(streq_ptr(o.run_id, "20240603T080000.000001Z") && streq(o.root, "/t"), "that run");
                options_free(&o);
        }
        refuses(ARGS("rollback", "a", "b"), "unexpected argument 'b'", "rollback takes one RUN-ID");
}

static void test_kubeadm(void) {
        struct options o;
        if (parses(ARGS("kubeadm", "--root", "/t", "--", "join", "--token", "abc", "--dry-run", "--", "x"),
                   &o, "kubeadm [OPTIONS] -- ARGS")) {
                tap_ok(streq(o.root, "/t") && !o.dry_run, "kubeprep's options before --");
                tap_ok(o.n_kubeadm_args == 6 && streq(o.kubeadm_args[0], "join") &&
                               streq(o.kubeadm_args[3], "--dry-run") && streq(o.kubeadm_args[4], "--") &&
                               streq(o.kubeadm_args[5], "x"),
                       "everything after the first -- is kubeadm's, untouched, also a second --");
                options_free(&o);
        }
        if (parses(ARGS("-q", "kubeadm", "--", "reset", "-f"), &o, "options before the verb")) {
                tap_ok(o.verbosity == -1 && o.n_kubeadm_args == 2 && streq(o.kubeadm_args[1], "-f"),
                       "and kubeadm's after --");
                options_free(&o);
        }
        refuses(ARGS("kubeadm"), "kubeadm needs its arguments after '--', e.g. kubeprep kubeadm -- join ...",
                "kubeadm without --");
        refuses(ARGS("kubeadm", "--"),
                "kubeadm needs its arguments after '--', e.g. kubeprep kubeadm -- join ...",
                "kubeadm with nothing after --");
        refuses(ARGS("kubeadm", "init"), "unexpected argument 'init'", "kubeadm's arguments go after --");
        refuses(ARGS("kubeadm", "--fix", "--", "init"), "--fix goes with lint", "kubeadm --fix");
        refuses(ARGS("check", "--", "init"), "unexpected argument 'init'",
                "after -- without kubeadm: an operand check does not take");
        refuses(ARGS("--", "init"), "unknown command 'init'", "-- then no verb");
        refuses(ARGS("check", "--root", "kubeadm", "--", "init"),
                "arguments after '--' go with the kubeadm command",
                "-- with another verb, kubeadm only an option's value");
        refuses(ARGS("lint", "--root", "kubeadm", "--", "x"),
                "arguments after '--' go with the kubeadm command", "named before lint's missing file");
}

static void test_help_text(void) {
        struct capture c;
        capture(&c, &stdout);
        options_print_help();
        _cleanup_free_ char *out = captured(&c);
        tap_streq(out,
                  "kubeprep 0.1.0: get a Linux node ready for kubeadm, and keep it so.\n"
                  "\n"
                  "Usage:\n"
                  "  kubeprep check    [OPTIONS]               Audit the node; change nothing\n"
                  "  kubeprep apply    [OPTIONS] [--dry-run]   Fix every difference from the profile\n"
                  "  kubeprep rollback [--root DIR] [RUN-ID]   Undo the files changed by a run (default: "
                  "the last)\n"
                  "  kubeprep diagnose [--root DIR] [--journal-dir DIR | --log FILE|-] [--since TIME]\n"
                  "                                            Find known problems in the kubelet's log\n"
                  "  kubeprep lint [--fix] FILE...             Find hostNetwork pods in workload manifests "
                  "without\n"
                  "                                            dnsPolicy ClusterFirstWithHostNet (- is "
                  "stdin)\n"
                  "  kubeprep kubeadm [OPTIONS] -- init|join|upgrade|reset [ARGS...]\n"
                  "                                            apply, then kubeadm (with --patches from "
                  "1.25), "
                  "then\n"
                  "                                            the fixes for the files kubeadm rewrote\n"
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
                  "      --kubelet-version V      The kubelet's version (e.g. v1.22.2), instead of "
                  "detecting it\n"
                  "      --control-plane-version V\n"
                  "                               The control plane's version, instead of detecting it\n"
                  "      --kubeadm-config FILE    A kubeadm configuration to read versions from\n"
                  "      --dry-run                (apply) Show what would change, as diffs; change nothing\n"
                  "      --no-restart             (apply) Do not restart services; say which need it\n"
                  "      --lock-timeout SECONDS   (apply, rollback, kubeadm) Wait this long for another run "
                  "(default 30)\n"
                  "      --fix                    (lint) Set the dnsPolicy in the files, in place\n"
                  "      --journal-dir DIR        (diagnose) Read the journal in DIR (default: the node's)\n"
                  "      --log FILE|-             (diagnose) Read plain text instead, e.g. pasted "
                  "journalctl output\n"
                  "      --since TIME             (diagnose) Entries since TIME, not just the last boot\n"
                  "                               (\"2024-06-03 08:00\", \"2 days ago\", \"-3h\", "
                  "\"@EPOCH\")\n"
                  "  -o, --output FORMAT          text (default), json, or prometheus (node_exporter "
                  "textfile)\n"
                  "  -v, --verbose                Also show the details of fixers that are ok, and diffs "
                  "with check\n"
                  "  -q, --quiet                  Show only problems and the summary\n"
                  "  -h, --help                   Show this help\n"
                  "      --version                Show the version\n"
                  "\n"
                  "Exit status: 0 the node complies (or every fix was made), 1 something needs fixing\n"
                  "(or could not be fixed), 2 an error: bad usage, a bad profile, or a file kubeprep "
                  "refused.\n"
                  "See kubeprep(8).\n",
                  "--help: the verbs, each option, the exit status");
}

int main(void) {
        test_verbs();
        test_help_version();
        test_options();
        test_conflicts();
        test_lint();
        test_rollback();
        test_kubeadm();
        test_help_text();
        return tap_done();
}
