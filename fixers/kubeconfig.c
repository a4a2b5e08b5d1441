/* SPDX-License-Identifier: MIT */
/* The `kubeconfig` fixer: kubectl run by a user without ~/.kube/config says
 * "The connection to the server localhost:8080 was refused". Each user named
 * with --user or kubeconfig.users gets a copy of the admin kubeconfig, 0600,
 * owned by the user. A home belongs to its user, who could plant links there:
 * nothing in it is followed. */
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>

#include "fixers/registry.h"
#include "formats/passwd.h"

#define ADMIN_CONF "/etc/kubernetes/admin.conf"
#define ROOT_KUBECONFIG "/root/.kube/config"
#define SUPER_ADMIN_CONF "/etc/kubernetes/super-admin.conf"

struct source {
        const char *path;
        struct blob *data; /* one copy, shared by every user's edit */
};

/* admin.conf, else root's own kubeconfig. Never super-admin.conf, the
 * break-glass credential, not even through a link or a hard link (the same
 * device and inode under another name). 1 found, 0 none. */
static int read_source(struct context *ctx, struct fixer_result *r, struct source *s) {
        static const char *const paths[] = { ADMIN_CONF, ROOT_KUBECONFIG };
        struct stat super, st;
        bool have_super = root_stat(ctx->root, SUPER_ADMIN_CONF, &super) >= 0;
        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                _cleanup_free_ char *resolved = NULL;
                int k = root_resolve(ctx->root, paths[i], &resolved);
                if (k == -ENOENT)
                        continue;
                if (k >= 0 && streq(strrchr(resolved, '/') + 1, "super-admin.conf"))
                        return result_refuse(
                                r, -EPERM,
                                "%s is a link to %s, the break-glass credential; it is never copied",
                                paths[i], resolved);
                _cleanup_free_ char *data = NULL;
                size_t len = 0;
                if (k >= 0)
                        k = ctx_read_file(ctx, paths[i], &data, &len, &st);
                if (k == -ENOENT)
                        continue;
                if (k < 0)
                        return result_refuse(r, k, "%s: cannot read: %s", paths[i], read_strerror(k));
                if (have_super && st.st_dev == super.st_dev && st.st_ino == super.st_ino)
                        return result_refuse(
                                r, -EPERM,
                                "%s is a hard link of %s, the break-glass credential; it is never copied",
                                paths[i], SUPER_ADMIN_CONF);
                s->path = paths[i];
                s->data = blob_new(data, len);
                return 1;
        }
        return 0;
}

static char *user_name(struct user_db *db, uid_t uid) {
        const struct passwd_entry *pw = user_db_user_by_uid(db, uid);
        return pw ? xasprintf("%s (uid %u)", pw->name, (unsigned) uid) : xasprintf("uid %u", (unsigned) uid);
}

static char *group_name(struct user_db *db, gid_t gid) {
        const struct group_entry *g = user_db_group_by_gid(db, gid);
        return g ? xstrdup(g->name) : xasprintf("%u", (unsigned) gid);
}

/* The homes of the users before, by the path of their ~/.kube/config. One a copy was planned for
 * is found through the overlay, whose entry for the path shares the source's bytes only when this
 * plan made it; the others (right already, or refused) through an index of their own. An index of
 * every home took 0.5 MB for 10,000 users. */
struct homes {
        struct name_index index;
        struct strv paths;
};

static bool home_seen(const struct context *ctx, const struct homes *homes, const struct source *src,
                      const char *config) {
        const struct overlay_entry *o = overlay_find(ctx, config);
        return (o && o->data == src->data) || name_index_get(&homes->index, config, NULL);
}

/* What each planned user's detail says, kept until the report shows it (result_detail_later()):
 * the lines of 10,000 users were 1.5 MB, these records a tenth of that. */
struct copies {
        const char *src;  /* the file copied */
        struct buf names; /* per record: user, group[, old owner, old group], each NUL-terminated */
        struct copy {
                uint32_t edit;  /* in the result */
                uint32_t names; /* offset in names */
                bool new_dir;   /* ~/.kube is created too */
        } * records;
        size_t n;
};

static void copies_free(void *p) {
        struct copies *c = p;
        buf_free(&c->names);
        free(c->records);
        free(c);
}

/* Is what the edit writes what the file holds already? */
static bool same_content(const struct file_edit *e) {
        return e->old_len == e->new_len && memcmp(e->old_data, e->new_data, e->new_len) == 0;
}

static const char *next_name(const char *s) {
        return s + strlen(s) + 1;
}

static char *copy_detail(const struct fixer_result *r, size_t i) {
        const struct copies *c = r->later_data;
        const struct file_edit *e = &r->edits[c->records[i].edit];
        const char *user = c->names.data + c->records[i].names, *group = next_name(user);
        const char *config = e->path;                         /* ~/.kube/config */
        int kdir_len = (int) (strrchr(config, '/') - config); /* ~/.kube */
        if (c->records[i].new_dir)
                return xasprintf("%s: create %.*s (mode 0700) and %s, a copy of %s (mode 0600, owner %s:%s)",
                                 user, kdir_len, config, config, c->src, user, group);
        if (!e->existed)
                return xasprintf("%s: create %s, a copy of %s (mode 0600, owner %s:%s)", user, config,
                                 c->src, user, group);
        if (!same_content(e))
                return xasprintf("%s: %s replaces a different ~/.kube/config; the old one is in the backup "
                                 "(mode 0600, owner %s:%s)",
                                 user, config, user, group);
        const char *old_owner = next_name(group), *old_group = next_name(old_owner);
        return xasprintf("%s: %s has the right content; mode %04o -> 0600, owner %s:%s -> %s:%s", user,
                         config, (unsigned) e->mode, old_owner, old_group, user, group);
}

static void add_name(struct buf *b, const char *name) {
        buf_append(b, name, strlen(name) + 1);
}

/* The detail of the edit just planned for pw, as a record. */
static void record_copy(struct fixer_result *r, struct copies *c, struct user_db *db,
                        const struct passwd_entry *pw, bool have_dir) {
        const struct file_edit *e = &r->edits[r->n_edits - 1];
        c->records = xrealloc_grow(c->records, c->n, sizeof(*c->records));
        c->records[c->n++] = (struct copy){
                .edit = (uint32_t) (r->n_edits - 1),
                .names = (uint32_t) c->names.len,
                .new_dir = !e->existed && !have_dir,
        };
        _cleanup_free_ char *group = group_name(db, pw->gid);
        add_name(&c->names, pw->name);
        add_name(&c->names, group);
        if (e->existed && same_content(e)) {
                _cleanup_free_ char *old_owner = user_name(db, e->uid), *old_group = group_name(db, e->gid);
                add_name(&c->names, old_owner);
                add_name(&c->names, old_group);
        }
        result_detail_later(r);
}

/* Is this entry (in a user's home) safe to write through? 0, or a refusal. */
static int check_entry(struct fixer_result *r, struct user_db *db, const struct passwd_entry *pw,
                       const char *path, const struct stat *st, bool dir) {
        if (S_ISLNK(st->st_mode))
                return result_refuse(r, -ELOOP, "%s: %s is a symbolic link; nothing was written there",
                                     pw->name, path);
        if (dir ? !S_ISDIR(st->st_mode) : !S_ISREG(st->st_mode))
                return result_refuse(r, -EINVAL, "%s: %s is not a %s; nothing was written there", pw->name,
                                     path, dir ? "directory" : "regular file");
        if (st->st_uid != pw->uid) {
                _cleanup_free_ char *owner = user_name(db, st->st_uid);
                return result_refuse(r, -EPERM, "%s: %s belongs to %s, not to %s; nothing was written there",
                                     pw->name, path, owner, pw->name);
        }
        if (!dir && st->st_nlink > 1)
                return result_refuse(
                        r, -EMLINK,
                        "%s: %s has %lu hard links (it could be another user's file); nothing was "
                        "written there",
                        pw->name, path, (unsigned long) st->st_nlink);
        return 0;
}

/* Plan the copy in the home hfd (home, resolved), in which nothing is followed. Returns 1
 * planned, 0 already right, <0 refused. */
static int plan_copy(struct context *ctx, struct fixer_result *r, struct user_db *db,
                     const struct passwd_entry *pw, const struct source *src, struct copies *copies, int hfd,
                     const char *home, const char *config) {
        struct stat st;
        int k;
        const char *h = streq(home, "/") ? "" : home;
        _cleanup_free_ char *kdir = xasprintf("%s/.kube", h);
        bool have_dir = fstatat(hfd, ".kube", &st, AT_SYMLINK_NOFOLLOW) >= 0;
        if (!have_dir && errno != ENOENT)
                return result_refuse(r, -errno, "%s: %s: %s", pw->name, kdir, strerror(errno));
        if (have_dir && (k = check_entry(r, db, pw, kdir, &st, true)) < 0)
                return k;
        if (have_dir) {
                _cleanup_close_ int kfd =
                        openat(hfd, ".kube", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (kfd < 0)
                        return result_refuse(r, -errno, "%s: %s: %s", pw->name, kdir, strerror(errno));
                if (fstatat(kfd, "config", &st, AT_SYMLINK_NOFOLLOW) >= 0) {
                        if ((k = check_entry(r, db, pw, config, &st, false)) < 0)
                                return k;
                } else if (errno != ENOENT)
                        return result_refuse(r, -errno, "%s: %s: %s", pw->name, config, strerror(errno));
        }

        struct file_attrs a = {
                .mode = 0600,
                .uid = pw->uid,
                .gid = pw->gid,
                .resolve = RESOLVE_NO_SYMLINKS,
                .parent_mode = 0700,
                .parent_uid = pw->uid,
                .parent_gid = pw->gid,
                .secret = true,
        };
        k = plan_write_file_attrs(ctx, r, config, src->data, &a);
        if (k < 0)
                return result_refuse(r, k, "%s: %s: %s; nothing was written there", pw->name, config,
                                     k == -ELOOP ? "a symbolic link on the way" : read_strerror(k));
        if (k > 0)
                record_copy(r, copies, db, pw, have_dir);
        return k;
}

/* Plan one user's copy. Returns 1 planned, 0 already right, <0 refused. */
static int plan_user(struct context *ctx, struct fixer_result *r, struct user_db *db,
                     const struct passwd_entry *pw, const struct source *src, struct homes *homes,
                     struct copies *copies) {
        if (pw->home[0] != '/')
                return result_refuse(r, -EINVAL, "%s: the home directory '%s' is not an absolute path",
                                     pw->name, pw->home);
        /* The home itself is resolved inside the root like any path... */
        _cleanup_close_ int hfd = root_openat(ctx->root, pw->home, O_PATH | O_DIRECTORY, 0, 0);
        if (hfd < 0)
                return result_refuse(r, hfd, "%s: the home directory %s %s", pw->name, pw->home,
                                     hfd == -ENOENT ? "does not exist" : strerror(-hfd));
        _cleanup_free_ char *home = NULL;
        int k = root_resolve(ctx->root, pw->home, &home);
        if (k < 0)
                return result_refuse(r, k, "%s: %s: %s", pw->name, pw->home, strerror(-k));
        struct stat st;
        if (fstat(hfd, &st) < 0)
                return result_refuse(r, -errno, "%s: %s: %s", pw->name, home, strerror(errno));
        if (st.st_uid != pw->uid) {
                _cleanup_free_ char *owner = user_name(db, st.st_uid);
                return result_refuse(r, -EPERM,
                                     "%s: the home directory %s belongs to %s, not to %s; nothing was "
                                     "written there",
                                     pw->name, home, owner, pw->name);
        }
        _cleanup_free_ char *config = xasprintf("%s/.kube/config", streq(home, "/") ? "" : home);
        if (home_seen(ctx, homes, src, config)) {
                result_warn(r, "%s shares the home %s with another chosen user: one copy serves both",
                            pw->name, home);
                return 0;
        }

        /* ...but nothing inside it is followed. */
        k = plan_copy(ctx, r, db, pw, src, copies, hfd, home, config);
        if (k <= 0) {
                strv_push(&homes->paths, TAKE_PTR(config));
                (void) name_index_put(&homes->index, homes->paths.items[homes->paths.n - 1], 0);
        }
        return k;
}

/* The users' names, or those of the users marked in only (NULL: all), ", " between each two: made
 * at their length, as 10,000 names are a long line. */
static char *join_names(const struct passwd_entry *const *users, size_t n, const bool *only) {
        size_t len = 0;
        for (size_t i = 0; i < n; i++)
                if (!only || only[i])
                        len += strlen(users[i]->name) + 2;
        char *s = xmalloc(len + 1), *p = s;
        for (size_t i = 0; i < n; i++)
                if (!only || only[i])
                        p = stpcpy(stpcpy(p, p == s ? "" : ", "), users[i]->name);
        *p = 0;
        return s;
}

/* A login name that can be shown in a command line as it is. */
static bool plain_user_name(const char *s) {
        return *s && s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")] == 0;
}

/* `sudo kubeprep apply` with no one named: SUDO_USER gets nothing. A copy of
 * admin.conf makes a user cluster-admin, so giving it to whoever ran sudo would
 * turn a sudoers rule for kubeprep into that grant. Say how to name them. */
static void hint_sudo_user(const struct context *ctx, struct fixer_result *r) {
        /* SUDO_USER is who ran sudo on this machine: it says nothing about an image tree. */
        const char *u = ctx->root->live ? getenv("SUDO_USER") : NULL;
        if (!u || !*u || streq(u, "root"))
                return;
        /* Anything else in the environment is not echoed to a terminal. */
        bool plain = plain_user_name(u);
        result_warn(r,
                    "SUDO_USER%s%s is not given a kubeconfig: only the users named with --user or "
                    "kubeconfig.users "
                    "are (kubeprep apply --user %s)",
                    plain ? " " : "", plain ? u : "", plain ? u : "NAME");
}

static int kubeconfig_plan(struct context *ctx, struct fixer_result *r) {
        const struct strv *cli = &ctx->opts->users, *prof = &ctx->profile->kubeconfig_users;
        if (!cli->n && !prof->n) {
                result_message(r, "no users configured (--user, kubeconfig.users)");
                hint_sudo_user(ctx, r);
                return 0;
        }
        struct user_db db = {};
        _cleanup_free_ char *err = NULL;
        int k = user_db_load(ctx->root, &db, &err);
        if (k < 0)
                return result_refuse(r, k, "%s; no kubeconfig was copied", err);

        struct user_choice c = {};
        users_choose(&db, cli, prof, &c);
        user_db_forget_names(&db); /* from here on, users are found by id */
        for (size_t i = 0; i < c.errors.n; i++)
                result_refuse(r, -ENOENT, "%s", c.errors.items[i]);
        for (size_t i = 0; i < c.notes.n; i++)
                result_warn(r, "%s", c.notes.items[i]);

        struct source src = {};
        _cleanup_free_ char *names = join_names(c.users, c.n_users, NULL);
        if (c.n_users == 0) {
                if (!c.errors.n)
                        result_message(r, "no non-root users to give a kubeconfig");
        } else if ((k = read_source(ctx, r, &src)) == 0) {
                if (c.errors.n)
                        result_detail(r, "no %s or %s yet (kubeadm has not run); nothing to copy",
                                      ADMIN_CONF, ROOT_KUBECONFIG);
                else
                        result_skip(r, "no %s or %s to copy for %s: kubeadm has not run yet", ADMIN_CONF,
                                    ROOT_KUBECONFIG, names);
        } else if (k > 0) {
                result_warn(r, "%s is a cluster-admin credential: %s get%s full control of the cluster",
                            src.path, names, c.n_users == 1 ? "s" : "");
                r->partial = true; /* one user's refusal does not hold back the others */
                struct homes homes = {};
                struct copies *copies = xmalloc(sizeof(*copies));
                *copies = (struct copies){ .src = src.path };
                r->later_data = copies;
                r->later_data_free = copies_free;
                r->later_detail = copy_detail;
                _cleanup_free_ bool *need = xmalloc(c.n_users);
                size_t n_need = 0;
                for (size_t i = 0; i < c.n_users; i++) {
                        need[i] = plan_user(ctx, r, &db, c.users[i], &src, &homes, copies) > 0;
                        n_need += need[i];
                }
                if (n_need) {
                        _cleanup_free_ char *list = join_names(c.users, c.n_users, need);
                        if (r->status == STATUS_ERROR)
                                result_detail(r, "%s need%s ~/.kube/config = %s", list,
                                              n_need == 1 ? "s" : "", src.path);
                        else
                                result_message(r, "%s need%s ~/.kube/config = %s", list,
                                               n_need == 1 ? "s" : "", src.path);
                } else if (r->status != STATUS_ERROR)
                        result_message(r, "%s ha%s ~/.kube/config = %s", names, c.n_users == 1 ? "s" : "ve",
                                       src.path);
                name_index_free(&homes.index);
                strv_free(&homes.paths);
        }
        blob_unref(src.data);
        user_choice_free(&c);
        user_db_free(&db);
        return r->status == STATUS_ERROR ? -EBADMSG : 0;
}

const struct fixer fixer_kubeconfig = {
        .name = "kubeconfig",
        .description = "each chosen non-root user has ~/.kube/config = the admin kubeconfig, mode 0600, "
                       "owned by the user",
        .plan = kubeconfig_plan,
};
