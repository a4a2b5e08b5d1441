/* SPDX-License-Identifier: MIT */
/* Users and groups from the tree's own /etc/passwd and /etc/group (never the
 * host's NSS: an image tree's users are not this machine's), and the choice
 * of users that get a kubeconfig. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "basic/name-index.h"
#include "basic/rootfs.h"
#include "basic/util.h"

#define PASSWD_FILE "/etc/passwd"
#define GROUP_FILE "/etc/group"

struct passwd_entry {
        char *name;
        uid_t uid;
        gid_t gid; /* primary group */
        char *home;
};

struct group_entry {
        char *name;
        gid_t gid;
        struct strv members; /* the member list of /etc/group (not the primary members) */
};

/* An index from a uid or gid to the first entry that has it. */
struct id_index {
        struct id_slot {
                uint32_t id;
                uint32_t idx1; /* the entry's index + 1 (READ_FILE_MAX keeps it small); 0: an empty slot */
        } * slots;
        size_t cap; /* a power of two, or 0 */
        size_t n;
        size_t indexed; /* the entries looked at: a lookup first adds those parsed since */
};

struct string_block;

struct user_db {
        struct passwd_entry *users;
        size_t n_users;
        struct group_entry *groups;
        size_t n_groups;
        struct name_index user_names;  /* name -> users[i] */
        struct name_index group_names; /* name -> groups[i] */
        /* uid -> the first users[i] with it, gid -> the first groups[i]: made by the first lookup by
         * id, as a plan may ask none (10,000 users' ids are an index of 80 KB each). */
        struct id_index uids;
        struct id_index gids;
        /* The entries' names and homes, packed in blocks: a string allocated on its own took 32
         * bytes or more, three to five times a short name. */
        struct string_block *strings;
};

/* Parse passwd / group text into db (appending). Blank lines, # comments and
 * NIS compat lines (+/-) are skipped; any other line that is not a complete
 * entry is an error "line N: reason". The first entry of a name wins, as
 * with glibc. */
int user_db_parse_passwd(struct user_db *db, const char *text, size_t len, char **ret_error);
int user_db_parse_group(struct user_db *db, const char *text, size_t len, char **ret_error);

/* Read the root's /etc/passwd and /etc/group (a missing /etc/group is empty).
 * Errors name the file. */
int user_db_load(const struct root *root, struct user_db *ret, char **ret_error);
void user_db_free(struct user_db *db);

const struct passwd_entry *user_db_user(const struct user_db *db, const char *name);
const struct group_entry *user_db_group(const struct user_db *db, const char *name);
/* The first entry with this uid or gid, as getpwuid() and getgrgid() find it; NULL when none has it. */
const struct passwd_entry *user_db_user_by_uid(struct user_db *db, uid_t uid);
const struct group_entry *user_db_group_by_gid(struct user_db *db, gid_t gid);
/* Free what only lookups by name need, the name indexes and the groups' member lists, once the
 * users are chosen: a plan for 10,000 users holds their entries to its end, and these beside them
 * were a third of its memory. Then user_db_user() and user_db_group() find no one. */
void user_db_forget_names(struct user_db *db);

/* The users named by the command line and the profile (their union, command
 * line first), and nobody else (not SUDO_USER: a copy of admin.conf makes a user
 * cluster-admin). "group:NAME" means the group's member list plus every user
 * whose primary group it is, in /etc/passwd order. ret_users gets distinct
 * entries; uid 0 is never one (root uses admin.conf directly; a
 * note says so when it was named). A name or group that does not exist is an
 * error line in ret_errors; a group member without a passwd entry is a note.
 * ret_users points into db. */
struct user_choice {
        const struct passwd_entry **users;
        size_t n_users;
        struct strv errors;
        struct strv notes;
        bool *chosen; /* by index in db->users: already in users (so that choosing stays linear) */
};
void users_choose(const struct user_db *db, const struct strv *cli, const struct strv *profile,
                  struct user_choice *ret);
void user_choice_free(struct user_choice *c);
