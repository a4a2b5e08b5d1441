/* SPDX-License-Identifier: MIT */
/* The `node-ip` fixer: on a node with several addresses the kubelet registers the one of the default
 * route's interface, which may be the wrong network. The profile's nodeIP (an address, a network or an
 * interface) picks exactly one, which becomes --node-ip=ADDR in KUBELET_EXTRA_ARGS of the
 * distribution's kubelet defaults file (kubeadm never rewrites it). Without nodeIP, several candidates
 * are a warning: kubeprep never guesses. */
#include "fixers/registry.h"
#include "fixers/shared/kubelet-files.h"
#include "fixers/shared/node-identity.h"

#define FLAG "node-ip"

/* The --node-ip the kubelet would get: the last flag file that sets it (KUBELET_EXTRA_ARGS comes last).
 * 1 (*ret_value, *ret_path), 0 none, <0 after result_refuse(). */
static int current_node_ip(struct context *ctx, struct fixer_result *r, char **ret_value, char **ret_path) {
        struct flag_file *files = NULL;
        size_t n = 0;
        int found = 0;
        kubelet_flag_files(ctx, &files, &n);
        for (size_t i = 0; i < n && found >= 0; i++) {
                _cleanup_(flag_text_done) struct flag_text text = {};
                _cleanup_free_ char *value = NULL, *err = NULL;
                int k = flag_text_read(ctx, files[i].path, &text);
                if (k == -ENOENT)
                        continue;
                if (k < 0)
                        found = result_refuse(r, k, "%s: cannot read: %s", files[i].path, read_strerror(k));
                else if ((k = flags_get(text.data, text.len, files[i].format, FLAG, &value, &err)) < 0)
                        found = result_refuse(r, k, "%s: %s; the file was not changed", files[i].path, err);
                else if (k > 0) {
                        free(*ret_value);
                        free(*ret_path);
                        *ret_value = TAKE_PTR(value);
                        *ret_path = xstrdup(files[i].path);
                        found = 1;
                }
        }
        flag_files_free(files, n);
        return found;
}

/* No nodeIP: say which address the kubelet will take, and warn when there is a choice. */
static int no_node_ip(struct context *ctx, struct fixer_result *r, const char *current, const char *where) {
        if (current) {
                result_message(r, "nodeIP is not set; %s sets --node-ip=%s", where, current);
                return 0;
        }
        result_message(r,
                       "nodeIP is not set: the kubelet takes the address of the default route's interface");
        if (!ctx->root->live)
                return 0;
        _cleanup_free_ struct node_address *a = NULL;
        _cleanup_free_ char *err = NULL;
        size_t n = 0;
        if (node_addresses(&ctx->node, NULL, &a, &n, &err) < 0) {
                result_warn(r, "%s", err);
                return 0;
        }
        if (n > 1) {
                _cleanup_free_ char *listed = node_addresses_format(a, n);
                result_warn(
                        r,
                        "several addresses could be the node's: %s; the kubelet takes the default route's "
                        "interface's, or set nodeIP in the profile",
                        listed);
        }
        return 0;
}

/* --node-ip=addr in KUBELET_EXTRA_ARGS of the defaults file. 1 planned, 0 already there, <0 refused. */
static int plan_defaults_file(struct context *ctx, struct fixer_result *r, const char *addr) {
        const char *path = kubelet_defaults_file(ctx);
        if (!path) {
                result_detail(
                        r,
                        "the tree is neither deb nor rpm: no kubelet defaults file to put --node-ip=%s in",
                        addr);
                r->status = STATUS_DRIFT;
                r->exit_code = 1;
                return 0;
        }
        _cleanup_free_ char *text = NULL, *old = NULL, *out = NULL, *err = NULL;
        size_t len = 0, out_len;
        int k = ctx_read_file(ctx, path, &text, &len, NULL);
        if (k == -ENOENT)
                text = xstrdup("");
        else if (k < 0)
                return result_refuse(r, k, "%s: cannot read: %s", path, read_strerror(k));
        k = flags_get(text, len, FLAGS_ENV_FILE, FLAG, &old, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", path, err);
        if (k > 0) /* plan_kubelet_flag_where_set() gave it the address already */
                return 0;
        k = flags_set(text, len, FLAGS_ENV_FILE, "KUBELET_EXTRA_ARGS", FLAG, addr, &out, &out_len, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s; the file was not changed", path, err);
        if (k == 0)
                return 0;
        k = plan_write_file_restart(ctx, r, path, out, out_len, "kubelet.service");
        if (k > 0)
                result_detail(r, "%s: add --%s=%s to KUBELET_EXTRA_ARGS", path, FLAG, addr);
        return k;
}

static int node_ip_plan(struct context *ctx, struct fixer_result *r) {
        const char *spec = ctx->profile->node_ip;
        _cleanup_free_ char *current = NULL, *where = NULL;
        int k = current_node_ip(ctx, r, &current, &where);
        if (k < 0)
                return k;
        if (!spec)
                return no_node_ip(ctx, r, current, where);

        _cleanup_free_ char *addr = NULL, *label = NULL, *problem = NULL;
        k = node_ip_address(ctx, &addr, &label, &problem);
        if (k == 0) {
                result_skip(r,
                            "nodeIP %s is matched against the node's addresses, which --root does not read: "
                            "give an address",
                            spec);
                return 0;
        }
        if (k == -ENXIO || k == -ENOTUNIQ) {
                result_message(r, "%s", problem);
                r->status = STATUS_DRIFT;
                r->exit_code = 1;
                return 0;
        }
        if (k < 0)
                return result_fail(r, k, "%s", problem);

        k = plan_kubelet_flag_where_set(ctx, r, FLAG, addr);
        if (k >= 0)
                k = plan_defaults_file(ctx, r, addr);
        if (k < 0)
                return k;
        _cleanup_free_ char *short_label =
                strchr(spec, '/') || !streq(spec, addr) ? xasprintf("nodeIP %s", spec) : xstrdup("nodeIP");
        if (plan_is_empty(r))
                result_message(r, "the kubelet's --node-ip is %s (%s)", addr, short_label);
        else if (current && !streq(current, addr))
                result_message(r, "the kubelet's --node-ip is %s (%s), not %s; %s", current, where, addr,
                               label);
        else
                result_message(r, "the kubelet has no --node-ip; %s", label);
        return 0;
}

const struct fixer fixer_node_ip = {
        .name = "node-ip",
        .description =
                "--node-ip=ADDR in KUBELET_EXTRA_ARGS when the profile's nodeIP picks the node's address",
        .plan = node_ip_plan,
};
