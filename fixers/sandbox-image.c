/* SPDX-License-Identifier: MIT */
/* The `sandbox-image` fixer: the pause image every pod starts with is the container runtime's
 * setting (the kubelet's --pod-infra-container-image stopped setting it with dockershim in 1.24
 * and is rejected from 1.35). A node pulling from a mirror must say so in the runtime, or it
 * tries registry.k8s.io from an air-gapped network. */
#include "fixers/registry.h"
#include "fixers/shared/containerd-config.h"
#include "fixers/shared/crio-config.h"
#include "fixers/shared/kubelet-files.h"
#include "formats/toml-edit.h"

#define INFRA_FLAG "pod-infra-container-image"
/* A node with CRI-O installed and no file of its own gets this one. */
#define CRIO_PAUSE_DROPIN CRIO_CONF_DIR "/02-pause-image.conf"

/* What the runtime should use, and why. */
struct want {
        char *image;
        char *from; /* "the profile's sandboxImage", "--pod-infra-container-image in FILE" */
};

struct findings {
        struct strv wrong;   /* "containerd's sandbox image is X" */
        struct strv foreign; /* wrong in a file kubeprep does not edit */
        struct strv right;   /* "containerd" */
};

/* An image reference as a runtime takes it: one word, no quotes or shell characters. */
static bool image_reference_ok(const char *s) {
        if (!*s || *s == '-')
                return false;
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if (*p <= 0x20 || *p >= 0x7f || strchr("\"'\\$`;|&<>(){}", *p))
                        return false;
        return true;
}

/* The last --pod-infra-container-image the kubelet's flag files set (a later file's flag wins on
 * the kubelet's command line: KUBELET_EXTRA_ARGS comes after KUBELET_KUBEADM_ARGS). */
static int flag_image(struct context *ctx, struct fixer_result *r, struct want *ret) {
        struct flag_file *files = NULL;
        size_t n = 0;
        int failed = 0;
        kubelet_flag_files(ctx, &files, &n);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *text = NULL, *value = NULL, *err = NULL;
                size_t len;
                int k = ctx_read_file(ctx, files[i].path, &text, &len, NULL);
                if (k == -ENOENT)
                        continue;
                if (k < 0) {
                        failed = result_refuse(r, k, "%s: cannot read: %s", files[i].path, read_strerror(k));
                        continue;
                }
                k = flags_get(text, len, files[i].format, INFRA_FLAG, &value, &err);
                if (k < 0) {
                        failed = result_refuse(r, k, "%s: %s; the file was not changed", files[i].path, err);
                        continue;
                }
                if (k == 0)
                        continue;
                if (!image_reference_ok(value)) {
                        result_warn(r, "%s: --%s=%s is not an image reference; it is not carried over",
                                    files[i].path, INFRA_FLAG, value);
                        continue;
                }
                if (ret->image && !streq(ret->image, value))
                        result_warn(r, "%s: --%s=%s differs from %s; the later one counts", files[i].path,
                                    INFRA_FLAG, value, ret->from);
                free(ret->image);
                free(ret->from);
                ret->image = TAKE_PTR(value);
                ret->from = xasprintf("--%s in %s", INFRA_FLAG, files[i].path);
        }
        flag_files_free(files, n);
        return failed;
}

static void record(struct findings *f, const char *runtime, const char *cur, const char *where) {
        _cleanup_free_ char *from = where ? xasprintf(" (from %s)", where) : xstrdup("");
        strv_push(&f->wrong,
                  xasprintf("%s's sandbox image is %s%s", runtime, cur ? cur : "its default", from));
}

/* containerd: sandbox_image in the CRI plugin's table (version 2) or pinned_images' sandbox
 * (versions 3 and 4), in the file whose table containerd uses. */
static int plan_containerd(struct context *ctx, struct fixer_result *r, const struct want *w,
                           struct findings *f) {
        _cleanup_(containerd_config_free) struct containerd_config c = {};
        _cleanup_free_ char *raw = NULL, *cur = NULL, *quoted = toml_quote_string(w->image);
        int k = containerd_config_load(ctx, r, &c);
        if (k < 0)
                return k;
        if (k == 0) {
                if (!node_has_program(ctx->root, "containerd"))
                        return 0;
                /* Version 2 is read by containerd 1.x and migrated by 2.x. */
                _cleanup_free_ char *text = xasprintf(
                        "version = 2\n\n[plugins.\"io.containerd.grpc.v1.cri\"]\n  sandbox_image = %s\n",
                        quoted);
                k = plan_write_file_restart(ctx, r, CONTAINERD_TOML, text, strlen(text), CONTAINERD_UNIT);
                if (k < 0)
                        return k;
                record(f, "containerd", NULL, NULL);
                result_detail(r, "%s: create it with sandbox_image = %s", CONTAINERD_TOML, quoted);
                return 1;
        }

        bool v2 = streq(c.version, "2");
        const char *plugin = containerd_images_plugin(&c), *key = v2 ? "sandbox_image" : "sandbox";
        const char *const table_v2[] = { "plugins", plugin, NULL };
        const char *const table_v3[] = { "plugins", plugin, "pinned_images", NULL };
        const char *const *table = v2 ? table_v2 : table_v3;
        struct toml_file *file = NULL;
        if ((k = containerd_plugin_file(r, &c, plugin, &file)) < 0)
                return k;
        if (file && (k = toml_file_get(r, file, table, key, &raw, NULL)) < 0)
                return k;
        if (raw && toml_unquote_string(raw, &cur) < 0)
                return result_refuse(r, -EBADMSG, "%s: %s is not a string; the file was not changed",
                                     file->path, key);
        if (streq_ptr(cur, w->image)) {
                strv_push(&f->right, xstrdup("containerd"));
                return 0;
        }
        const char *where = file && file != &c.files[0] ? file->path : NULL;
        if (!file)
                file = &c.files[0];
        if (!containerd_file_editable(file)) {
                strv_push(&f->foreign,
                          xasprintf("%s (%s, imported by %s) sets containerd's sandbox image to %s",
                                    file->path,
                                    startswith(file->path, "/usr/") ? "a package's file"
                                                                    : "not in /etc/containerd",
                                    file->importer, cur ? cur : "its default"));
                return 0;
        }
        if ((k = toml_file_set(r, file, table, key, quoted)) < 0)
                return k;
        record(f, "containerd", cur, where);
        result_detail(r, "%s: %s = %s (was %s%s%s)", file->path, key, quoted, cur ? "\"" : "",
                      cur ? cur : "unset: containerd's default", cur ? "\"" : "");
        return containerd_config_write(ctx, r, &c);
}

/* CRI-O: pause_image in [crio.image], in the file whose value CRI-O uses. */
static int plan_crio(struct context *ctx, struct fixer_result *r, const struct want *w, struct findings *f) {
        static const char *const image_table[] = { "crio", "image", NULL };
        _cleanup_(crio_config_free) struct crio_config c = {};
        _cleanup_free_ char *cur = NULL;
        int k = crio_config_load(ctx, r, &c);
        if (k < 0)
                return k;
        if (k == 0) {
                if (!node_has_program(ctx->root, "crio"))
                        return 0;
                _cleanup_free_ char *quoted = toml_quote_string(w->image);
                _cleanup_free_ char *text = xasprintf("[crio.image]\npause_image = %s\n", quoted);
                k = plan_write_file_restart(ctx, r, CRIO_PAUSE_DROPIN, text, strlen(text), CRIO_UNIT);
                if (k < 0)
                        return k;
                record(f, "CRI-O", NULL, NULL);
                result_detail(r, "%s: create it with pause_image = %s", CRIO_PAUSE_DROPIN, quoted);
                return 1;
        }
        struct toml_file *file = NULL;
        if ((k = crio_config_get(r, &c, image_table, "pause_image", &file, &cur)) < 0)
                return k;
        if (streq_ptr(cur, w->image)) {
                strv_push(&f->right, xstrdup("CRI-O"));
                return 0;
        }
        struct toml_file *target = file ? file : crio_config_new_key_file(&c, image_table);
        if ((k = crio_set_string(r, target, image_table, "pause_image", w->image)) < 0)
                return k;
        record(f, "CRI-O", cur, file ? file->path : NULL);
        result_detail(r, "%s: pause_image = \"%s\" (was %s%s%s)", target->path, w->image, cur ? "\"" : "",
                      cur ? cur : "unset: CRI-O's default", cur ? "\"" : "");
        return toml_files_write(ctx, r, c.files, c.n_files, CRIO_UNIT);
}

static int sandbox_image_plan(struct context *ctx, struct fixer_result *r) {
        struct want w = {};
        struct findings f = {};
        int refused = 0;
        if (ctx->profile->sandbox_image) {
                if (!image_reference_ok(ctx->profile->sandbox_image))
                        return result_refuse(r, -EINVAL, "%s: sandboxImage '%s' is not an image reference",
                                             ctx->profile->path, ctx->profile->sandbox_image);
                w.image = xstrdup(ctx->profile->sandbox_image);
                w.from = xstrdup("the profile's sandboxImage");
                struct want flag = {};
                (void) flag_image(ctx, r, &flag);
                if (flag.image && !streq(flag.image, w.image))
                        result_warn(r, "%s sets %s; the profile's sandboxImage %s wins", flag.from,
                                    flag.image, w.image);
                free(flag.image);
                free(flag.from);
        } else
                refused = flag_image(ctx, r, &w);

        if (!w.image) {
                if (refused == 0)
                        result_message(r,
                                       "no sandbox image wanted: no sandboxImage in the profile, no --%s in "
                                       "the kubelet's flag files; the runtime keeps its own",
                                       INFRA_FLAG);
                return refused;
        }
        int results[] = {
                plan_containerd(ctx, r, &w, &f),
                plan_crio(ctx, r, &w, &f),
        };
        for (size_t i = 0; i < ELEMENTSOF(results); i++)
                if (results[i] < 0)
                        refused = results[i];

        containerd_report_foreign(r, &f.foreign, &f.wrong);
        _cleanup_free_ char *wrong = strv_join(&f.wrong, ", "), *right = strv_join(&f.right, " and ");
        if (f.wrong.n && r->status != STATUS_ERROR)
                result_message(r, "%s; %s wants %s", wrong, w.from, w.image);
        else if (f.wrong.n)
                result_detail(r, "%s; %s wants %s", wrong, w.from, w.image);
        else if (!r->message && f.right.n)
                result_message(r, "%s %s %s (%s)", right, f.right.n == 1 ? "uses" : "use", w.image, w.from);
        else if (!r->message)
                result_message(r, "no containerd or CRI-O to give %s (%s)", w.image, w.from);
        strv_free(&f.wrong);
        strv_free(&f.foreign);
        strv_free(&f.right);
        free(w.image);
        free(w.from);
        return refused;
}

const struct fixer fixer_sandbox_image = {
        .name = "sandbox-image",
        .description = "the container runtime's sandbox (pause) image is the profile's, or the kubelet "
                       "flag's it replaces",
        .plan = sandbox_image_plan,
};
