/* SPDX-License-Identifier: MIT */
/* kubeprep's entry point: parse the command line and dispatch to a verb. */
#include <locale.h>

#include "config.h"
#include "diagnose/diagnose.h"
#include "engine/run.h"
#include "kubeadm/kubeadm-hook.h"
#include "lint/lint.h"
#include "options.h"

int main(int argc, char **argv) {
        setlocale(LC_ALL, "");
        struct options opts;
        if (options_parse(argc, argv, &opts) < 0)
                return 2;
        int r;
        switch (opts.command) {
        case CMD_CHECK:
        case CMD_APPLY:
                r = run_check_or_apply(&opts);
                break;
        case CMD_ROLLBACK:
                r = run_rollback(&opts);
                break;
        case CMD_DIAGNOSE:
                r = run_diagnose(&opts);
                break;
        case CMD_LINT:
                r = run_lint(&opts);
                break;
        case CMD_KUBEADM:
                r = run_kubeadm_hook(&opts);
                break;
        case CMD_LIST:
                r = run_list();
                break;
        case CMD_VERSION:
                printf("kubeprep %s\n", KUBEPREP_VERSION);
                r = 0;
                break;
        case CMD_HELP:
        default:
                options_print_help();
                r = 0;
                break;
        }
        options_free(&opts);
        return r;
}
