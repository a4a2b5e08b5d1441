/* SPDX-License-Identifier: MIT */
/* The verbs' names, as reports and JSON give them. */
#include "engine/run-options.h"

const char *command_to_string(enum command c) {
        switch (c) {
        case CMD_CHECK:
                return "check";
        case CMD_APPLY:
                return "apply";
        case CMD_ROLLBACK:
                return "rollback";
        case CMD_DIAGNOSE:
                return "diagnose";
        case CMD_LINT:
                return "lint";
        case CMD_KUBEADM:
                return "kubeadm";
        case CMD_LIST:
                return "list";
        case CMD_HELP:
                return "help";
        case CMD_VERSION:
                return "version";
        }
        return "unknown";
}
