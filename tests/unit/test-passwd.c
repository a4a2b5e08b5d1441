/* SPDX-License-Identifier: MIT */
/* The tree's /etc/passwd and /etc/group parser, and the choice of kubeconfig
 * users: command line, profile, group:NAME, root. */
#include "basic/util.h"
#include "formats/passwd.h"
#include "tap.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/bash\n"
                             "# a comment\n"
                             "\n"
                             "alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n"
                             "bob:x:1001:100::/home/bob:/bin/sh\n"
                             "carol:x:1002:1002::/srv/carol:/bin/sh\n"
                             "dave:x:1003:1003::/home/dave:/bin/sh\n"
                             "+nisuser::::::\n"
                             "alice:x:2000:2000::/elsewhere:/bin/sh\n"
                             "toor:x:0:0::/root:/bin/sh";

static const char group[] = "root:x:0:\n"
                            "users:x:100:\n"
                            "alice:x:1000:\n"
                            "ops:x:500:dave, carol,ghost,root\n"
                            "empty:x:501:\n";

static struct strv list(const char *a, const char *b) {
        struct strv v = {};
        if (a)
                strv_push(&v, xstrdup(a));
        if (b)
                strv_push(&v, xstrdup(b));
        return v;
}

static char *names(const struct user_choice *c) {
        struct buf b = {};
        for (size_t i = 0; i < c->n_users; i++)
                buf_printf(&b, "%s%s", i ? "," : "", c->users[i]->name);
        return buf_steal(&b);
}

static void test_parse(struct user_db *db) {
        char *err = NULL;
        tap_ok(user_db_parse_passwd(db, passwd, sizeof(passwd) - 1, &err) == 0, "passwd parses");
        tap_ok(db->n_users == 6, "six users (comments, blanks, +nis and a duplicate name skipped)");
        const struct passwd_entry *a = user_db_user(db, "alice");
        tap_ok(a && a->uid == 1000 && a->gid == 1000 && streq(a->home, "/home/alice"),
               "the first alice wins");
        const struct passwd_entry *t = user_db_user(db, "toor");
        tap_ok(t && t->uid == 0 && streq(t->home, "/root"), "a last line without a newline");
        tap_ok(!user_db_user(db, "nisuser") && !user_db_user(db, "+nisuser"),
               "NIS compat lines are not users");
        tap_ok(user_db_parse_group(db, group, sizeof(group) - 1, &err) == 0, "group parses");
        const struct group_entry *g = user_db_group(db, "ops");
        tap_ok(g && g->gid == 500 && g->members.n == 4 && streq(g->members.items[1], "carol"),
               "member lists are split at commas, blanks trimmed");
        g = user_db_group(db, "empty");
        tap_ok(g && g->members.n == 0, "an empty member list");

        static const struct {
                const char *text, *want;
        } bad[] = {
                { "alice:x:1000:1000::/home/alice\n",
                  "line 1: not a passwd entry (name:password:uid:gid:gecos:home:shell)" },
                { "ok:x:1:1::/:/bin/sh\nalice:x:10a0:1000::/home/alice:/bin/sh\n",
                  "line 2: alice: the uid or gid is not a number" },
                { "alice:x:1000:4294967295::/h:/bin/sh\n", "line 1: alice: the uid or gid is not a number" },
                { "alice:x:1000:-1::/h:/bin/sh\n", "line 1: alice: the uid or gid is not a number" },
                { ":x:1:1::/h:/bin/sh\n", "line 1: an entry without a name" },
                { "a:x:1:1::/h:/bin/sh:extra\n",
                  "line 1: not a passwd entry (name:password:uid:gid:gecos:home:shell)" },
                /* lines are taken as they stand: a CR alone is not a blank line */
                { "ok:x:1:1::/:/bin/sh\r\n\r\n",
                  "line 2: not a passwd entry (name:password:uid:gid:gecos:home:shell)" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct user_db d = {};
                char *e = NULL;
                int k = user_db_parse_passwd(&d, bad[i].text, strlen(bad[i].text), &e);
                tap_ok(k < 0, bad[i].want);
                tap_streq(e, bad[i].want, "  and says where");
                free(e);
                user_db_free(&d);
        }
        /* By id, as getpwuid() and getgrgid() find them: the first entry with the id. */
        const struct passwd_entry *u0 = user_db_user_by_uid(db, 0), *u1 = user_db_user_by_uid(db, 1002);
        tap_ok(u0 && streq(u0->name, "root") && u1 && streq(u1->name, "carol"),
               "user_db_user_by_uid: the first user with the uid (root, not toor)");
        tap_ok(!user_db_user_by_uid(db, 2000),
               "user_db_user_by_uid: a duplicate name's entry is not a user");
        tap_ok(!user_db_user_by_uid(db, 4242), "user_db_user_by_uid: an unknown uid");
        const struct group_entry *g500 = user_db_group_by_gid(db, 500);
        tap_ok(g500 && streq(g500->name, "ops") && !user_db_group_by_gid(db, 4242),
               "user_db_group_by_gid: a gid, and an unknown one");

        struct user_db d = {};
        char *e = NULL;
        tap_ok(!user_db_user_by_uid(&d, 0) && !user_db_group_by_gid(&d, 0), "by id in an empty db");
        tap_ok(user_db_parse_group(&d, "ops:x:5x:a\n", 11, &e) < 0, "a bad gid in /etc/group");
        tap_streq(e, "line 1: ops: the gid is not a number", "  is named");
        free(e);
        user_db_free(&d);
}

static void test_choose(const struct user_db *db) {
        struct strv none = {}, cli, prof;
        struct user_choice c;
        _cleanup_free_ char *s = NULL;

        cli = list("bob", "alice");
        prof = list("alice", "carol");
        users_choose(db, &cli, &prof, &c);
        s = names(&c);
        tap_streq(s, "bob,alice,carol", "command line then profile, each user once");
        tap_ok(c.errors.n == 0, "  no errors");
        user_choice_free(&c);
        strv_free(&cli);
        strv_free(&prof);
        free(TAKE_PTR(s));

        prof = list("group:ops", NULL);
        users_choose(db, &none, &prof, &c);
        s = names(&c);
        tap_streq(s, "carol,dave", "group:ops is its member list, in passwd order, without root");
        tap_ok(c.notes.n == 2 && streq(c.notes.items[0],
                                       "group:ops lists ghost, who has no entry in /etc/passwd; skipped"),
               "a member without a passwd entry is a note");
        tap_ok(c.notes.n == 2 && streq(c.notes.items[1], "root (in group:ops) is not given a copy: root "
                                                         "uses /etc/kubernetes/admin.conf directly"),
               "root named through a group is a note");
        user_choice_free(&c);
        strv_free(&prof);
        free(TAKE_PTR(s));

        cli = list("group:users", "group:empty");
        users_choose(db, &cli, &none, &c);
        s = names(&c);
        tap_streq(s, "bob", "group:users holds the users whose primary group it is");
        tap_ok(c.notes.n == 1 && streq(c.notes.items[0], "group:empty has no members"),
               "an empty group is a note");
        user_choice_free(&c);
        strv_free(&cli);
        free(TAKE_PTR(s));

        cli = list("root", "toor");
        users_choose(db, &cli, &none, &c);
        tap_ok(c.n_users == 0 && c.errors.n == 0 && c.notes.n == 2,
               "root and another uid 0 are never targets");
        tap_ok(c.notes.n && strstr(c.notes.items[0], "root is not given a copy"), "  and that is said");
        user_choice_free(&c);
        strv_free(&cli);

        cli = list("mallory", "group:nope");
        users_choose(db, &cli, &none, &c);
        tap_ok(c.n_users == 0 && c.errors.n == 2, "unknown user and group are errors");
        tap_ok(c.errors.n == 2 &&
                       streq(c.errors.items[0], "user 'mallory' does not exist in the tree's /etc/passwd") &&
                       streq(c.errors.items[1], "group 'nope' does not exist in the tree's /etc/group"),
               "  naming them");
        user_choice_free(&c);
        strv_free(&cli);

        users_choose(db, &none, &none, &c);
        tap_ok(c.n_users == 0 && c.errors.n == 0 && c.notes.n == 0, "nothing given: nobody");
        user_choice_free(&c);

        /* A user named, and in a group named, and a group listing members twice: each user once. */
        cli = list("dave", "group:ops");
        prof = list("group:ops", "carol");
        users_choose(db, &cli, &prof, &c);
        s = names(&c);
        tap_streq(s, "dave,carol", "a user named again through groups is chosen once, where first named");
        user_choice_free(&c);
        strv_free(&cli);
        strv_free(&prof);
        free(TAKE_PTR(s));
}

int main(void) {
        struct user_db db = {};
        test_parse(&db);
        test_choose(&db);
        user_db_free(&db);
        return tap_done();
}
