/* SPDX-License-Identifier: MIT */
/* Parsing the tree's /etc/passwd and /etc/group, and choosing kubeconfig
 * users (see passwd.h). */
#include "formats/passwd.h"

#include <stdint.h>

/* A decimal id; (uid_t) -1 is "no id" to chown(2), so it is not one. */
static int parse_id(const char *s, size_t n, uint32_t *ret) {
        if (n == 0 || n > 10)
                return -EINVAL;
        uint64_t v = 0;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                v = v * 10 + (uint64_t) (s[i] - '0');
        }
        if (v >= UINT32_MAX)
                return -ERANGE;
        *ret = (uint32_t) v;
        return 0;
}

/* Open addressing with linear probing, kept at most half full, as name-index.c. */
static struct id_slot *id_find_slot(struct id_slot *slots, size_t cap, uint32_t id) {
        size_t i = (size_t) (id * UINT32_C(2654435761)) & (cap - 1);
        while (slots[i].idx1 && slots[i].id != id)
                i = (i + 1) & (cap - 1);
        return &slots[i];
}

/* Add id -> idx unless the id has an entry already: the first one keeps it. */
static void id_index_put(struct id_index *ix, uint32_t id, uint32_t idx) {
        if ((ix->n + 1) * 2 > ix->cap) {
                size_t cap = ix->cap ? ix->cap * 2 : 64;
                struct id_slot *slots = xmalloc(cap * sizeof(*slots));
                memset(slots, 0, cap * sizeof(*slots));
                for (size_t i = 0; i < ix->cap; i++)
                        if (ix->slots[i].idx1)
                                *id_find_slot(slots, cap, ix->slots[i].id) = ix->slots[i];
                free(ix->slots);
                ix->slots = slots;
                ix->cap = cap;
        }
        struct id_slot *s = id_find_slot(ix->slots, ix->cap, id);
        if (s->idx1)
                return;
        *s = (struct id_slot){ .id = id, .idx1 = idx + 1 };
        ix->n++;
}

static bool id_index_get(const struct id_index *ix, uint32_t id, size_t *ret_idx) {
        if (!ix->cap)
                return false;
        const struct id_slot *s = id_find_slot(ix->slots, ix->cap, id);
        if (!s->idx1)
                return false;
        *ret_idx = s->idx1 - 1;
        return true;
}

/* Split one line at ':' into exactly n fields (start, length). */
static bool split_fields(const char *line, size_t len, size_t n, const char **f, size_t *fl) {
        size_t i = 0;
        const char *start = line;
        for (const char *p = line;; p++) {
                if (p == line + len || *p == ':') {
                        if (i == n)
                                return false;
                        f[i] = start;
                        fl[i] = (size_t) (p - start);
                        i++;
                        if (p == line + len)
                                break;
                        start = p + 1;
                }
        }
        return i == n;
}

struct string_block {
        struct string_block *next;
        size_t used, size;
        char data[];
};

/* A copy of s[0..n) among the db's strings: in the block last made, or in a new one, never moved. */
static char *db_strndup(struct user_db *db, const char *s, size_t n) {
        struct string_block *b = db->strings;
        if (!b || b->size - b->used <= n) {
                size_t size = n + 1 > 64 * 1024 ? n + 1 : 64 * 1024;
                b = xmalloc(sizeof(*b) + size);
                *b = (struct string_block){ .next = db->strings, .size = size };
                db->strings = b;
        }
        char *p = b->data + b->used;
        memcpy(p, s, n);
        p[n] = 0;
        b->used += n + 1;
        return p;
}

/* Give back the string db_strndup() made last. */
static void db_strings_drop_last(struct user_db *db, const char *s) {
        db->strings->used = (size_t) (s - db->strings->data);
}

/* Call fn for each line that holds an entry; stops at the first error. */
typedef int (*line_fn)(struct user_db *db, const char *line, size_t len, char **ret_error);
static int each_entry(struct user_db *db, const char *text, size_t len, line_fn fn, char **ret_error) {
        unsigned lineno = 0;
        /* Lines as they stand: a CR before the newline is part of the entry's last field. */
        for (size_t off = 0, n, end; text_line_raw(text, len, off, &n, &end); off = end) {
                const char *s = text + off, *eol = s + n;
                lineno++;
                while (s < eol && (*s == ' ' || *s == '\t'))
                        s++;
                /* Blank, comment, or NIS compat (+user, -user): not an entry of this file. */
                if (s < eol && *s != '#' && *s != '+' && *s != '-') {
                        _cleanup_free_ char *err = NULL;
                        int k = fn(db, s, (size_t) (eol - s), &err);
                        if (k < 0) {
                                set_error(ret_error, "line %u: %s", lineno, err ? err : strerror(-k));
                                return k;
                        }
                }
        }
        return 0;
}

static int passwd_line(struct user_db *db, const char *line, size_t len, char **ret_error) {
        const char *f[7];
        size_t fl[7];
        uint32_t uid, gid;
        if (!split_fields(line, len, 7, f, fl)) {
                set_error(ret_error, "not a passwd entry (name:password:uid:gid:gecos:home:shell)");
                return -EBADMSG;
        }
        if (fl[0] == 0) {
                set_error(ret_error, "an entry without a name");
                return -EBADMSG;
        }
        if (parse_id(f[2], fl[2], &uid) < 0 || parse_id(f[3], fl[3], &gid) < 0) {
                set_error(ret_error, "%.*s: the uid or gid is not a number", (int) fl[0], f[0]);
                return -EBADMSG;
        }
        char *name = db_strndup(db, f[0], fl[0]);
        if (!name_index_put(&db->user_names, name, db->n_users)) {
                db_strings_drop_last(db, name); /* the first entry of a name wins */
                return 0;
        }
        db->users[db->n_users++] = (struct passwd_entry){
                .name = name,
                .uid = uid,
                .gid = gid,
                .home = db_strndup(db, f[5], fl[5]),
        };
        return 0;
}

static int group_line(struct user_db *db, const char *line, size_t len, char **ret_error) {
        const char *f[4];
        size_t fl[4];
        uint32_t gid;
        if (!split_fields(line, len, 4, f, fl)) {
                set_error(ret_error, "not a group entry (name:password:gid:members)");
                return -EBADMSG;
        }
        if (fl[0] == 0) {
                set_error(ret_error, "an entry without a name");
                return -EBADMSG;
        }
        if (parse_id(f[2], fl[2], &gid) < 0) {
                set_error(ret_error, "%.*s: the gid is not a number", (int) fl[0], f[0]);
                return -EBADMSG;
        }
        char *name = db_strndup(db, f[0], fl[0]);
        if (!name_index_put(&db->group_names, name, db->n_groups)) {
                db_strings_drop_last(db, name); /* the first entry of a name wins */
                return 0;
        }
        struct group_entry g = { .name = name, .gid = gid };
        for (const char *m = f[3], *end = f[3] + fl[3]; m < end;) {
                const char *comma = memchr(m, ',', (size_t) (end - m));
                const char *e = comma ? comma : end;
                while (m < e && (*m == ' ' || *m == '\t'))
                        m++;
                if (e > m)
                        strv_push(&g.members, xstrndup(m, (size_t) (e - m)));
                m = comma ? comma + 1 : end;
        }
        db->groups[db->n_groups++] = g;
        return 0;
}

/* Room for an entry a line, made at once: grown by doubling, the entries of 10,000 users had
 * room for 16,384 to the end of a plan. */
int user_db_parse_passwd(struct user_db *db, const char *text, size_t len, char **ret_error) {
        db->users = xrealloc(db->users, (db->n_users + text_count_lines(text, len)) * sizeof(*db->users));
        return each_entry(db, text, len, passwd_line, ret_error);
}

int user_db_parse_group(struct user_db *db, const char *text, size_t len, char **ret_error) {
        db->groups =
                xrealloc(db->groups, (db->n_groups + text_count_lines(text, len)) * sizeof(*db->groups));
        return each_entry(db, text, len, group_line, ret_error);
}

int user_db_load(const struct root *root, struct user_db *ret, char **ret_error) {
        struct user_db db = {};
        static const char *const files[] = { PASSWD_FILE, GROUP_FILE };
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *text = NULL, *err = NULL;
                size_t len = 0;
                int k = root_read_file(root, files[i], &text, &len, NULL);
                if (k == -ENOENT && i == 1)
                        continue;
                if (k >= 0)
                        k = i == 0 ? user_db_parse_passwd(&db, text, len, &err)
                                   : user_db_parse_group(&db, text, len, &err);
                if (k < 0) {
                        set_error(ret_error, "%s: %s", files[i], err ? err : read_strerror(k));
                        user_db_free(&db);
                        return k;
                }
        }
        *ret = db;
        return 0;
}

void user_db_free(struct user_db *db) {
        free(db->users);
        for (size_t i = 0; i < db->n_groups; i++)
                strv_free(&db->groups[i].members);
        free(db->groups);
        while (db->strings) {
                struct string_block *b = db->strings;
                db->strings = b->next;
                free(b);
        }
        name_index_free(&db->user_names);
        name_index_free(&db->group_names);
        free(db->uids.slots);
        free(db->gids.slots);
        *db = (struct user_db){};
}

const struct passwd_entry *user_db_user(const struct user_db *db, const char *name) {
        size_t i;
        return name_index_get(&db->user_names, name, &i) ? &db->users[i] : NULL;
}

const struct group_entry *user_db_group(const struct user_db *db, const char *name) {
        size_t i;
        return name_index_get(&db->group_names, name, &i) ? &db->groups[i] : NULL;
}

const struct passwd_entry *user_db_user_by_uid(struct user_db *db, uid_t uid) {
        for (; db->uids.indexed < db->n_users; db->uids.indexed++)
                id_index_put(&db->uids, db->users[db->uids.indexed].uid, (uint32_t) db->uids.indexed);
        size_t i;
        return id_index_get(&db->uids, uid, &i) ? &db->users[i] : NULL;
}

const struct group_entry *user_db_group_by_gid(struct user_db *db, gid_t gid) {
        for (; db->gids.indexed < db->n_groups; db->gids.indexed++)
                id_index_put(&db->gids, db->groups[db->gids.indexed].gid, (uint32_t) db->gids.indexed);
        size_t i;
        return id_index_get(&db->gids, gid, &i) ? &db->groups[i] : NULL;
}

void user_db_forget_names(struct user_db *db) {
        name_index_free(&db->user_names);
        name_index_free(&db->group_names);
        for (size_t i = 0; i < db->n_groups; i++)
                strv_free(&db->groups[i].members);
}

static void choose(const struct user_db *db, struct user_choice *c, const struct passwd_entry *pw,
                   const char *via) {
        size_t idx = (size_t) (pw - db->users);
        if (c->chosen[idx])
                return;
        if (pw->uid == 0) {
                _cleanup_free_ char *note =
                        xasprintf("%s%s is not given a copy: root uses /etc/kubernetes/admin.conf "
                                  "directly",
                                  pw->name, strempty(via));
                if (!strv_contains(&c->notes, note))
                        strv_push(&c->notes, TAKE_PTR(note));
                return;
        }
        c->chosen[idx] = true;
        c->users = xrealloc_grow(c->users, c->n_users, sizeof(*c->users));
        c->users[c->n_users++] = pw;
}

static void choose_group(const struct user_db *db, const char *name, struct user_choice *c) {
        const struct group_entry *g = user_db_group(db, name);
        if (!g) {
                strv_push(&c->errors,
                          xasprintf("group '%s' does not exist in the tree's " GROUP_FILE, name));
                return;
        }
        _cleanup_free_ char *via = xasprintf(" (in group:%s)", name);
        /* The members marked by their index in db->users, looked up once each: asking the member list
         * about every user would multiply users by members. */
        _cleanup_free_ bool *member = xmalloc(db->n_users + 1);
        memset(member, 0, db->n_users + 1);
        for (size_t i = 0; i < g->members.n; i++) {
                const struct passwd_entry *pw = user_db_user(db, g->members.items[i]);
                if (pw)
                        member[pw - db->users] = true;
                else
                        strv_push(&c->notes, xasprintf("group:%s lists %s, who has no entry in " PASSWD_FILE
                                                       "; skipped",
                                                       name, g->members.items[i]));
        }
        bool any = false;
        /* passwd order, so the result does not depend on how the member list is sorted. */
        for (size_t i = 0; i < db->n_users; i++) {
                const struct passwd_entry *pw = &db->users[i];
                if (pw->gid == g->gid || member[i]) {
                        choose(db, c, pw, via);
                        any = true;
                }
        }
        if (!any)
                strv_push(&c->notes, xasprintf("group:%s has no members", name));
}

static void choose_names(const struct user_db *db, const struct strv *names, struct user_choice *c) {
        for (size_t i = 0; i < names->n; i++) {
                const char *n = names->items[i];
                const char *group = startswith(n, "group:");
                if (group) {
                        choose_group(db, group, c);
                        continue;
                }
                const struct passwd_entry *pw = user_db_user(db, n);
                if (pw)
                        choose(db, c, pw, NULL);
                else
                        strv_push(&c->errors,
                                  xasprintf("user '%s' does not exist in the tree's " PASSWD_FILE, n));
        }
}

void users_choose(const struct user_db *db, const struct strv *cli, const struct strv *profile,
                  struct user_choice *ret) {
        struct user_choice c = { .chosen = xmalloc(db->n_users + 1) };
        memset(c.chosen, 0, db->n_users + 1);
        choose_names(db, cli, &c);
        choose_names(db, profile, &c);
        *ret = c;
}

void user_choice_free(struct user_choice *c) {
        free(c->users);
        free(c->chosen);
        strv_free(&c->errors);
        strv_free(&c->notes);
        *c = (struct user_choice){};
}
