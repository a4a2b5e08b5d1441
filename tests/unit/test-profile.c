/* SPDX-License-Identifier: MIT */
/* Profiles: parsing, validation messages (file, line, key) and `extends`. */
#include "engine/profile.h"
#include "tap.h"

struct error_case {
        const char *name;
        const char *text;
        const char *error;
};

static const struct error_case error_cases[] = {
        { "unknown top-level key", "cgroupDriver: systemd\nswapp: disable\n",
          "p.yaml:2: unknown key 'swapp'" },
        { "unknown nested key", "gateway:\n  adress: 10.0.0.1\n", "p.yaml:2: unknown key 'gateway.adress'" },
        { "bad driver", "cgroupDriver: sytemd\n", "p.yaml:1: 'cgroupDriver' must be systemd or cgroupfs" },
        { "bad swap", "swap: off\n", "p.yaml:1: 'swap' must be disable or allow" },
        { "bool", "gateway:\n  ensure: yes-please\n", "p.yaml:2: 'gateway.ensure' must be true or false" },
        { "section as scalar", "eviction: none\n", "p.yaml:1: 'eviction' must be a mapping" },
        { "users not a list", "kubeconfig:\n  users: alice\n",
          "p.yaml:2: 'kubeconfig.users' must be a list of user names" },
        { "user with a slash", "kubeconfig:\n  users: [../root]\n",
          "p.yaml:2: 'kubeconfig.users' holds an invalid user name" },
        { "duplicate key", "swap: allow\nswap: disable\n", "p.yaml:2: duplicate key 'swap'" },
        { "duplicate threshold",
          "eviction:\n  hard:\n    memory.available: 1Mi\n    memory.available: 2Mi\n",
          "p.yaml:4: duplicate key 'memory.available'" },
        { "nested extends", "gateway:\n  extends: default\n", "p.yaml:2: unknown key 'gateway.extends'" },
        { "not a mapping", "- a\n- b\n", "p.yaml:1: a profile must be a mapping of keys" },
        { "yaml syntax", "swap: [allow\n", "p.yaml:2: did not find expected ',' or ']'" },
        { "empty value", "gateway:\n  address: ''\n", "p.yaml:2: 'gateway.address' must not be empty" },
        /* Text from the file is quoted as a short escaped excerpt, never whole: a file that is not a
         * profile (an /etc/shadow line parses as a one-key mapping) must not end up in a message. */
        { "long unknown key",
          "root:$6$0123456789abcdef$PLANTEDHASH0123456789abcdefENDOFHASH:19000:0:99999:7:::\n",
          "p.yaml:1: unknown key 'root:$6$0123456789abcdef$PLANTEDHASH0123...'" },
        { "control characters escaped", "\"sw\\tap\\x01\\u00e9\": allow\n",
          "p.yaml:1: unknown key 'sw\\tap\\x01\\xc3\\xa9'" },
        { "long duplicate key",
          "eviction:\n  hard:\n    memory.available.0123456789.0123456789.0123456789: 1Mi\n"
          "    memory.available.0123456789.0123456789.0123456789: 2Mi\n",
          "p.yaml:4: duplicate key 'memory.available.0123456789.0123456789.0...'" },
};

static void test_errors(void) {
        for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
                const struct error_case *c = &error_cases[i];
                struct profile p;
                profile_init_defaults(&p);
                char *extends = NULL, *err = NULL;
                int k = profile_parse_text("p.yaml", c->text, strlen(c->text), &p, &extends, &err);
                tap_ok(k < 0, c->name);
                tap_streq(err, c->error, c->name);
                free(err);
                free(extends);
                profile_clear(&p);
        }
}

static void test_valid(void) {
        const char *text =
                "cgroupDriver: cgroupfs\nswap: allow\nkubeconfig:\n  users: [alice, 'group:ops']\n"
                "eviction:\n  hard: {memory.available: 100Mi}\n  soft: {}\n  maxPodGracePeriod: '60'\n"
                "gateway:\n  ensure: false\n  address: 192.0.2.1\n  interface: eth1\n";
        struct profile p;
        profile_init_defaults(&p);
        char *extends = NULL, *err = NULL;
        int k = profile_parse_text("p.yaml", text, strlen(text), &p, &extends, &err);
        tap_ok(k == 0 && !err, "a full valid profile parses");
        tap_ok(p.cgroup_driver == CGROUP_DRIVER_CGROUPFS, "cgroupDriver");
        tap_ok(p.swap == SWAP_ALLOW, "swap");
        tap_ok(p.kubeconfig_users.n == 2 && streq(p.kubeconfig_users.items[1], "group:ops"), "users");
        tap_ok(p.eviction.hard.n == 1 && streq(kv_list_get(&p.eviction.hard, "memory.available"), "100Mi"),
               "eviction.hard");
        tap_ok(p.eviction.hard.items[0].line == 6, "thresholds keep their line for messages");
        tap_ok(p.eviction.soft.n == 0, "an empty map clears the inherited one");
        tap_streq(p.eviction.max_pod_grace_period, "60", "maxPodGracePeriod");
        tap_ok(!p.gateway.ensure, "gateway.ensure");
        tap_streq(p.gateway.address, "192.0.2.1", "gateway.address");
        tap_streq(p.gateway.interface, "eth1", "gateway.interface");
        tap_ok(extends == NULL, "no extends");
        profile_clear(&p);
        free(err);
}

/* The shipped profiles load by name from the source tree, and aarch64
 * inherits everything from default but the driver. */
static void test_shipped(void) {
        const char *src = getenv("SOURCE_ROOT");
        if (!src) {
                tap_skip("shipped profiles", "SOURCE_ROOT not set");
                return;
        }
        setenv("KUBEPREP_DATA_DIR", src, 1);
        struct root *root = NULL;
        char *tmp = strdup("/tmp/kp-profile-XXXXXX");
        if (!mkdtemp(tmp)) {
                tap_ok(false, "mkdtemp");
                free(tmp);
                return;
        }
        tap_ok(root_open(tmp, false, &root) == 0, "open an empty root");
        struct profile *d = NULL, *a = NULL;
        char *err = NULL;
        tap_ok(profile_load(root, "default", &d, &err) == 0, "default loads");
        tap_ok(profile_load(root, "aarch64", &a, &err) == 0, "aarch64 loads");
        if (d && a) {
                tap_ok(d->cgroup_driver == CGROUP_DRIVER_SYSTEMD, "default: systemd");
                tap_ok(a->cgroup_driver == CGROUP_DRIVER_CGROUPFS, "aarch64: cgroupfs");
                tap_ok(a->eviction.soft.n == 3 &&
                               streq(kv_list_get(&a->eviction.soft, "nodefs.available"), "5%"),
                       "aarch64 inherits default's eviction");
                tap_streq(a->name, "aarch64", "name");
        }
        /* A profile in the tree's /etc/kubeprep/profiles wins over the shipped one. */
        char *dir = xasprintf("%s/etc/kubeprep/profiles", tmp);
        char *cmd = xasprintf("mkdir -p %s && printf 'extends: default\\nswap: allow\\n' > %s/default.yaml",
                              dir, dir);
        tap_ok(system(cmd) == 0, "write a tree profile");
        struct profile *t = NULL;
        tap_ok(profile_load(root, "default", &t, &err) == 0, "the tree's default loads");
        tap_ok(t && t->swap == SWAP_ALLOW && t->eviction.soft.n == 3,
               "the tree's default is used and extends the shipped default");
        profile_free(t);
        t = NULL;
        tap_ok(profile_load(root, "aarch64", &t, &err) == 0, "aarch64 loads over the tree's default");
        tap_ok(t && t->swap == SWAP_ALLOW && t->cgroup_driver == CGROUP_DRIVER_CGROUPFS,
               "the shipped aarch64 builds on the tree's default");
        char *loop = xasprintf("printf 'extends: b\\n' > %s/a.yaml && printf 'extends: a\\n' > %s/b.yaml",
                               dir, dir);
        tap_ok(system(loop) == 0, "write two profiles extending each other");
        struct profile *l = NULL;
        free(err);
        err = NULL;
        tap_ok(profile_load(root, "a", &l, &err) == -ELOOP, "an extends loop is refused");
        tap_ok(err && strstr(err, "nests too deep"), "and said so");
        char *rm = xasprintf("rm -rf %s", tmp);
        (void) system(rm);
        free(rm), free(loop), free(cmd), free(dir), free(err), free(tmp);
        profile_free(d), profile_free(a), profile_free(t), profile_free(l);
        root_free(root);
}

/* A document nested deeper than the other YAML reader allows is refused by line, and quickly:
 * libyaml takes quadratic time on deep flow nesting (120 KB of brackets took 17 s). */
static void test_nesting(void) {
        struct buf b = {};
        buf_puts(&b, "gateway: ");
        for (int i = 0; i < 60000; i++)
                buf_putc(&b, '[');
        for (int i = 0; i < 60000; i++)
                buf_putc(&b, ']');
        buf_putc(&b, '\n');
        struct profile p;
        profile_init_defaults(&p);
        char *extends = NULL, *err = NULL;
        tap_ok(profile_parse_text("p.yaml", b.data, b.len, &p, &extends, &err) == -EINVAL,
               "120 KB of [ is refused");
        tap_streq(err, "p.yaml:1: nesting deeper than 256 levels", "  by file and line");
        free(err);
        err = NULL;
        buf_free(&b);
        /* Block style, one level a line: the line of the first level too many. */
        for (int i = 0; i < 300; i++) {
                for (int j = 0; j < i; j++)
                        buf_putc(&b, ' ');
                buf_puts(&b, "a:\n");
        }
        tap_ok(profile_parse_text("p.yaml", b.data, b.len, &p, &extends, &err) == -EINVAL,
               "300 nested mappings");
        tap_streq(err, "p.yaml:257: nesting deeper than 256 levels", "  are refused at line 257");
        free(err);
        err = NULL;
        buf_free(&b);
        /* 256 levels are still a document (and then an unknown key). */
        for (int i = 0; i < 255; i++) {
                for (int j = 0; j < i; j++)
                        buf_putc(&b, ' ');
                buf_puts(&b, "gateway:\n");
        }
        tap_ok(profile_parse_text("p.yaml", b.data, b.len, &p, &extends, &err) == -EINVAL, "256 levels");
        tap_streq(err, "p.yaml:2: unknown key 'gateway.gateway'", "  parse and are checked as a profile");
        free(err);
        err = NULL;
        buf_free(&b);
        /* Wide, not deep: each threshold was checked against all before it (20000 took 3 s). */
        buf_puts(&b, "eviction:\n  hard:\n");
        for (int i = 0; i < 20000; i++)
                buf_printf(&b, "    k%d: 1Mi\n", i);
        tap_ok(profile_parse_text("p.yaml", b.data, b.len, &p, &extends, &err) == -EINVAL,
               "20000 thresholds");
        tap_streq(
                err,
                "p.yaml:3: 'eviction.hard' has more than 64 entries (the kubelet knows 6 eviction signals)",
                "  are refused at once");
        free(err);
        buf_free(&b);
        free(extends);
        profile_clear(&p);
}

static char *load_error(const struct root *root, const char *name) {
        struct profile *p = NULL;
        char *err = NULL;
        if (profile_load(root, name, &p, &err) == 0)
                err = xstrdup("(loaded)");
        profile_free(p);
        return err;
}

/* A profile found inside the tree (its /etc/kubeprep/profiles, or what such a profile extends)
 * resolves `extends` inside the tree or as a shipped name, never as a host path; the operator's
 * own profile (--profile /host/path) may extend host files. */
static void test_tree_confinement(void) {
        const char *src = getenv("SOURCE_ROOT");
        if (!src) {
                tap_skip("tree confinement", "SOURCE_ROOT not set");
                return;
        }
        setenv("KUBEPREP_DATA_DIR", src, 1);
        char *tmp = strdup("/tmp/kp-profile-XXXXXX");
        if (!mkdtemp(tmp)) {
                tap_ok(false, "mkdtemp");
                free(tmp);
                return;
        }
        /* host/: files of the host; tree/: the node tree. */
        char *cmd = xasprintf(
                "cd %s && mkdir -p host tree/etc/kubeprep/profiles tree/srv && "
                "printf 'root:$6$salt$PLANTEDHASH:19000:0:99999:7:::\\n' > host/shadow && "
                "printf 'swap: allow\\n' > host/base.yaml && "
                "printf 'extends: %s/host/shadow\\n' > tree/etc/kubeprep/profiles/default.yaml && "
                "printf 'extends: /srv/base.yaml\\n' > tree/etc/kubeprep/profiles/abs.yaml && "
                "printf 'cgroupDriver: cgroupfs\\n' > tree/srv/base.yaml && "
                "printf 'extends: rel-base.yaml\\n' > tree/etc/kubeprep/profiles/rel.yaml && "
                "printf 'swap: allow\\n' > tree/etc/kubeprep/profiles/rel-base.yaml && "
                "printf 'extends: ../../../../host/base.yaml\\n' > tree/etc/kubeprep/profiles/up.yaml && "
                "ln -s %s/host/base.yaml tree/etc/kubeprep/profiles/linked.yaml && "
                "printf 'extends: linked.yaml\\n' > tree/etc/kubeprep/profiles/via-link.yaml && "
                "printf 'extends: %s/host/base.yaml\\n' > host/operator.yaml",
                tmp, tmp, tmp, tmp);
        tap_ok(system(cmd) == 0, "write host files and a tree");
        free(cmd);
        _cleanup_free_ char *tree = xasprintf("%s/tree", tmp), *rm = xasprintf("rm -rf %s", tmp);
        struct root *root = NULL;
        if (!tap_ok(root_open(tree, false, &root) == 0, "open the tree")) {
                (void) system(rm);
                free(tmp);
                return;
        }

        _cleanup_free_ char *err = load_error(root, "default");
        _cleanup_free_ char *want = xasprintf("%s/etc/kubeprep/profiles/default.yaml: 'extends: "
                                              "%s/host/shadow' is read inside the tree %s, "
                                              "never on the host: No such file or directory",
                                              tree, tmp, tree);
        /* The excerpt cap shortens a long scratch path: compare up to it. */
        tap_ok(err && !strstr(err, "PLANTEDHASH"),
               "the tree's `extends: /host/file` never reads the host file");
        tap_ok(err && strstr(err, "is read inside the tree") && strstr(err, "never on the host"),
               "  and the message says why");
        if (strlen(tmp) + strlen("/host/shadow") <= 40)
                tap_streq(err, want, "  naming the file and the tree");

        struct profile *p = NULL;
        char *e = NULL;
        tap_ok(profile_load(root, "abs", &p, &e) == 0 && p && p->cgroup_driver == CGROUP_DRIVER_CGROUPFS,
               "an absolute extends is the tree's file");
        profile_free(p), p = NULL, free(e), e = NULL;
        tap_ok(profile_load(root, "rel", &p, &e) == 0 && p && p->swap == SWAP_ALLOW,
               "a relative extends is relative to the profile's own directory in the tree");
        profile_free(p), p = NULL, free(e), e = NULL;
        tap_ok(profile_load(root, "up", &p, &e) < 0 && e && strstr(e, "inside the tree") &&
                       strstr(e, "No such file"),
               "../ cannot climb out of the tree to the host");
        profile_free(p), p = NULL, free(e), e = NULL;
        tap_ok(profile_load(root, "via-link", &p, &e) < 0 && e && strstr(e, "inside the tree") &&
                       strstr(e, "No such file"),
               "a link in the tree to a host path resolves inside the tree");
        profile_free(p), p = NULL, free(e), e = NULL;
        _cleanup_free_ char *op = xasprintf("%s/host/operator.yaml", tmp);
        tap_ok(profile_load(root, op, &p, &e) == 0 && p && p->swap == SWAP_ALLOW,
               "the operator's own profile extends a host file as given");
        profile_free(p), p = NULL, free(e), e = NULL;
        root_free(root);
        (void) system(rm);
        free(tmp);
}

/* The preflight keys: role, nodeName, nodeIP, firewall.extraPorts, ntp.servers. */
static const struct error_case node_errors[] = {
        { "bad role", "role: master\n", "p.yaml:1: 'role' must be auto, control-plane or worker" },
        { "node name with an underscore", "nodeName: k8s_master\n",
          "p.yaml:1: 'nodeName' 'k8s_master' is not a valid node name (an RFC 1123 subdomain): only "
          "lowercase "
          "letters, digits, '-' and '.' are allowed" },
        { "node name in capitals", "nodeName: Node1\n",
          "p.yaml:1: 'nodeName' 'Node1' is not a valid node name (an RFC 1123 subdomain): each "
          "dot-separated part "
          "must start and end with a lowercase letter or digit" },
        { "bad address", "nodeIP: 192.0.2.300\n",
          "p.yaml:1: 'nodeIP' must be an IPv4 address, a network (192.0.2.0/24) or an interface name" },
        { "bad prefix", "nodeIP: 192.0.2.0/40\n",
          "p.yaml:1: 'nodeIP' must be an IPv4 address, a network (192.0.2.0/24) or an interface name" },
        { "IPv6", "nodeIP: 2001:db8::/64\n",
          "p.yaml:1: 'nodeIP': only IPv4 addresses and networks are supported" },
        { "long interface", "nodeIP: averyveryverylongname\n",
          "p.yaml:1: 'nodeIP' names no valid interface" },
        { "ports not a list", "firewall:\n  extraPorts: 8472/udp\n",
          "p.yaml:2: 'firewall.extraPorts' must be a list" },
        { "port without protocol", "firewall:\n  extraPorts: [8472]\n",
          "p.yaml:2: 'firewall.extraPorts': '8472' is not a port or range with its protocol (8472/udp, "
          "30000-32767/tcp)" },
        { "reversed range", "firewall:\n  extraPorts:\n    - 179/tcp\n    - 2380-2379/tcp\n",
          "p.yaml:4: 'firewall.extraPorts': '2380-2379/tcp' is not a port or range with its protocol "
          "(8472/udp, "
          "30000-32767/tcp)" },
        { "server with a blank", "ntp:\n  servers: ['ntp.example.com iburst']\n",
          "p.yaml:2: 'ntp.servers': 'ntp.example.com iburst' is not an NTP server's name or address" },
        { "server as an option", "ntp:\n  servers: [-x]\n",
          "p.yaml:2: 'ntp.servers': '-x' is not an NTP server's name or address" },
};

static void test_node_keys(void) {
        for (size_t i = 0; i < ELEMENTSOF(node_errors); i++) {
                const struct error_case *c = &node_errors[i];
                struct profile p;
                profile_init_defaults(&p);
                char *extends = NULL, *err = NULL;
                int k = profile_parse_text("p.yaml", c->text, strlen(c->text), &p, &extends, &err);
                tap_ok(k == -EINVAL, c->name);
                tap_streq(err, c->error, c->name);
                free(err);
                profile_clear(&p);
        }
        const char *text =
                "role: control-plane\nnodeName: node-1.example.com\nnodeIP: 10.1.0.0/16\n"
                "firewall:\n  extraPorts: [8472/udp, 179/tcp]\nntp:\n  servers: [ntp1.example.com, "
                "192.0.2.123]\n";
        struct profile p;
        profile_init_defaults(&p);
        tap_ok(p.role == ROLE_AUTO && !p.node_name && !p.node_ip && !p.firewall.extra_ports.n &&
                       !p.ntp.servers.n,
               "defaults: role auto, nothing else set");
        char *extends = NULL, *err = NULL;
        tap_ok(profile_parse_text("p.yaml", text, strlen(text), &p, &extends, &err) == 0,
               "the node keys parse");
        tap_ok(p.role == ROLE_CONTROL_PLANE, "role");
        tap_streq(p.node_name, "node-1.example.com", "nodeName");
        tap_streq(p.node_ip, "10.1.0.0/16", "nodeIP");
        tap_ok(p.firewall.extra_ports.n == 2 && streq(p.firewall.extra_ports.items[1], "179/tcp"),
               "extraPorts");
        tap_ok(p.ntp.servers.n == 2 && streq(p.ntp.servers.items[1], "192.0.2.123"), "ntp.servers");
        const char *more = "nodeIP: eth1\nfirewall:\n  extraPorts: []\n";
        tap_ok(profile_parse_text("p.yaml", more, strlen(more), &p, &extends, &err) == 0 &&
                       streq(p.node_ip, "eth1") && p.firewall.extra_ports.n == 0,
               "an interface name; an empty list replaces the inherited one");
        profile_clear(&p);
        free(err);
}

int main(void) {
        test_node_keys();
        test_errors();
        test_valid();
        test_shipped();
        test_nesting();
        test_tree_confinement();
        return tap_done();
}
