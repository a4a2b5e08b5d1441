/* SPDX-License-Identifier: MIT */
/* The run as node_exporter textfile metrics (--output prometheus), for a
 * fleet's dashboards and alerts: one gauge per fixer and status, the run's
 * time and exit code, and kubeprep's version. */
#include <time.h>

#include "config.h"
#include "engine/report.h"

/* Label values escape backslash, double quote and newline. */
static void print_label_value(const char *s) {
        for (; *s; s++) {
                if (*s == '\\' || *s == '"')
                        printf("\\%c", *s);
                else if (*s == '\n')
                        fputs("\\n", stdout);
                else
                        putchar(*s);
        }
}

static void print_help_type(const char *name, const char *help) {
        printf("# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* The metrics every run has, also one that failed before any fixer ran. */
static void print_run(const struct options *opts, const char *profile, int exit_code) {
        print_help_type("kubeprep_exit_code",
                        "Exit code of kubeprep's last run: 0 complies, 1 drift, 2 error.");
        printf("kubeprep_exit_code %d\n", exit_code);
        print_help_type("kubeprep_last_run_timestamp_seconds",
                        "When kubeprep last ran, in seconds since the epoch.");
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        printf("kubeprep_last_run_timestamp_seconds %lld\n", (long long) ts.tv_sec);
        print_help_type("kubeprep_info",
                        "kubeprep's version, command and profile of the last run; always 1.");
        printf("kubeprep_info{version=\"%s\",command=\"%s\",profile=\"", KUBEPREP_VERSION,
               opts->command_name);
        print_label_value(profile);
        printf("\"} 1\n");
}

void report_print_prometheus(const struct report *rep) {
        print_help_type("kubeprep_fixer_status",
                        "Status of each fixer in kubeprep's last run: 1 for its status, 0 for the others.");
        for (size_t i = 0; i < rep->n_results; i++)
                for (int st = 0; st < _STATUS_MAX; st++) {
                        fputs("kubeprep_fixer_status{fixer=\"", stdout);
                        print_label_value(rep->results[i].fixer->name);
                        printf("\",status=\"%s\"} %d\n", fixer_status_to_string((enum fixer_status) st),
                               rep->results[i].status == (enum fixer_status) st);
                }
        print_help_type("kubeprep_kubeadm_check_failing",
                        "kubeadm preflight checks that kubeadm init or join would fail on this node, by the "
                        "fixer that found them; always 1.");
        for (size_t i = 0; i < rep->n_results; i++)
                for (size_t c = 0; c < rep->results[i].kubeadm_checks.n; c++) {
                        fputs("kubeprep_kubeadm_check_failing{fixer=\"", stdout);
                        print_label_value(rep->results[i].fixer->name);
                        fputs("\",check=\"", stdout);
                        print_label_value(rep->results[i].kubeadm_checks.items[c]);
                        fputs("\"} 1\n", stdout);
                }
        print_help_type("kubeprep_fixers", "Number of fixers in kubeprep's last run, by status.");
        unsigned c[_STATUS_MAX];
        report_summary_count(rep->results, rep->n_results, c);
        for (int st = 0; st < _STATUS_MAX; st++)
                printf("kubeprep_fixers{status=\"%s\"} %u\n", fixer_status_to_string((enum fixer_status) st),
                       c[st]);
        print_run(rep->opts, rep->ctx->profile->name, rep->exit_code);
}

void report_print_prometheus_error(const struct options *opts, int exit_code) {
        print_run(opts, "", exit_code);
}
