/* SPDX-License-Identifier: MIT */
/* Unit files in the tree (see unit-files.h). */
#include "fixers/shared/unit-files.h"

#include <sys/stat.h>

#define ETC_UNITS "/etc/systemd/system"

void unit_file_done(struct unit_file *u) {
        free(u->path);
        unit_install_free(&u->install);
        *u = (struct unit_file){};
}

static bool is_mask(struct context *ctx, const char *path) {
        _cleanup_free_ char *target = NULL;
        return root_readlink(ctx->root, path, &target) >= 0 && streq(target, "/dev/null");
}

int unit_file_load(struct context *ctx, struct fixer_result *r, const char *unit, struct unit_file *ret) {
        struct unit_file u = {};
        _cleanup_free_ char *etc = xasprintf(ETC_UNITS "/%s", unit),
                            *run = xasprintf("/run/systemd/system/%s", unit);
        u.masked = is_mask(ctx, etc) || is_mask(ctx, run);
        /* The vendor's file: a link in /etc is an alias or a mask, not the unit itself. */
        _cleanup_free_ char *found = NULL;
        struct stat st;
        if (root_lstat(ctx->root, etc, &st) >= 0 && S_ISREG(st.st_mode))
                found = TAKE_PTR(etc);
        else {
                /* Debian's systemd looks in /lib before /usr/lib, the others the other way round. */
                static const char *const debian_order[] = { "/usr/local/lib/systemd/system",
                                                            "/lib/systemd/system",
                                                            "/usr/lib/systemd/system" };
                static const char *const other_order[] = { "/usr/local/lib/systemd/system",
                                                           "/usr/lib/systemd/system",
                                                           "/lib/systemd/system" };
                const char *const *vendor =
                        root_exists(ctx->root, "/etc/debian_version") ? debian_order : other_order;
                for (size_t i = 0; i < ELEMENTSOF(debian_order) && !found; i++) {
                        _cleanup_free_ char *p = xasprintf("%s/%s", vendor[i], unit);
                        if (root_stat(ctx->root, p, &st) >= 0 && S_ISREG(st.st_mode))
                                found = TAKE_PTR(p);
                }
        }
        if (!found)
                return 0;
        _cleanup_free_ char *text = NULL, *err = NULL;
        size_t len;
        int k = ctx_read_file(ctx, found, &text, &len, NULL);
        if (k < 0)
                return result_refuse(r, k, "%s: cannot read: %s", found, read_strerror(k));
        k = unit_install_parse(text, len, &u.install, &err);
        if (k < 0)
                return result_refuse(r, k, "%s: %s", found, err);
        u.path = TAKE_PTR(found);
        *ret = u;
        return 1;
}

/* The links an enabled unit has: DIR.wants/UNIT and the like, and its aliases; in dir. */
static void install_links(const char *dir, const char *unit, const struct unit_install *in, bool aliases,
                          struct strv *ret) {
        const struct {
                const struct strv *targets;
                const char *suffix;
        } kinds[] = { { &in->wanted_by, "wants" },
                      { &in->required_by, "requires" },
                      { &in->upheld_by, "upholds" } };
        for (size_t k = 0; k < ELEMENTSOF(kinds); k++)
                for (size_t i = 0; i < kinds[k].targets->n; i++)
                        strv_push(ret, xasprintf("%s/%s.%s/%s", dir, kinds[k].targets->items[i],
                                                 kinds[k].suffix, unit));
        for (size_t i = 0; aliases && i < in->alias.n; i++)
                strv_push(ret, xasprintf("%s/%s", dir, in->alias.items[i]));
}

bool unit_file_enabled(struct context *ctx, const char *unit, const struct unit_file *u) {
        const struct unit_install *in = &u->install;
        bool boot = in->wanted_by.n || in->required_by.n || in->upheld_by.n;
        if (!boot && !in->alias.n)
                return true; /* static: started by what needs it */
        /* A unit that something starts at boot is enabled by those links, an alias alone (firewalld's
         * D-Bus name) does not start it; one with aliases only is enabled by them. */
        struct strv links = {};
        struct unit_install only_alias = { .alias = in->alias };
        install_links(ETC_UNITS, unit, boot ? in : &only_alias, !boot, &links);
        if (boot) {
                install_links("/usr/lib/systemd/system", unit, in, false, &links);
                install_links("/lib/systemd/system", unit, in, false, &links);
        }
        bool found = false;
        for (size_t i = 0; i < links.n && !found; i++) {
                struct stat st;
                found = root_lstat(ctx->root, links.items[i], &st) >= 0;
        }
        strv_free(&links);
        return found;
}

int plan_unit_enable(struct context *ctx, struct fixer_result *r, const char *unit,
                     const struct unit_file *u, char **ret_links) {
        struct strv links = {}, planned = {};
        install_links(ETC_UNITS, unit, &u->install, true, &links);
        int k = 0;
        for (size_t i = 0; i < links.n && k >= 0; i++) {
                _cleanup_free_ char *target = NULL;
                struct stat st;
                if (root_readlink(ctx->root, links.items[i], &target) >= 0 && streq(target, u->path))
                        continue;
                if (root_lstat(ctx->root, links.items[i], &st) >= 0) {
                        k = result_refuse(
                                r, -EEXIST,
                                "%s exists and is no link to %s: systemctl enable %s would refuse it "
                                "too; nothing was changed",
                                links.items[i], u->path, unit);
                        break;
                }
                k = plan_symlink(ctx, r, links.items[i], u->path);
                if (k < 0)
                        k = result_refuse(r, k, "%s: %s", links.items[i], strerror(-k));
                else
                        strv_push(&planned, xasprintf("%s -> %s", links.items[i], u->path));
        }
        if (k >= 0 && ret_links)
                *ret_links = strv_join(&planned, ", ");
        int n = (int) planned.n;
        strv_free(&links);
        strv_free(&planned);
        return k < 0 ? k : n > 0;
}
