/* SPDX-License-Identifier: MIT */
/* firewalld's zone and service files: what the reader takes and refuses, the ports it finds, and the
 * editor's added <port> lines, byte for byte (the public zone's result is the file
 * firewall-offline-cmd --add-port writes). */
#include "basic/util.h"
#include "formats/firewalld.h"
#include "tap.h"

/* Debian 12's /usr/lib/firewalld/zones/public.xml (package firewalld 1.3.3-1~deb12u2), which is
 * firewalld's config/zones/public.xml. */
#define PUBLIC_HEAD                                                                                        \
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"                                                     \
        "<zone>\n"                                                                                         \
        "  <short>Public</short>\n"                                                                        \
        "  <description>For use in public areas. You do not trust the other computers on networks to not " \
        "harm your computer. Only selected incoming connections are accepted.</description>\n"             \
        "  <service name=\"ssh\"/>\n"                                                                      \
        "  <service name=\"dhcpv6-client\"/>\n"
#define PUBLIC PUBLIC_HEAD "  <forward/>\n</zone>\n"

static const struct port_range p6443 = { 6443, 6443, "tcp" }, p2379 = { 2379, 2380, "tcp" },
                               pvxlan = { 8472, 8472, "udp" };

static void add(const char *text, const struct port_range *ports, size_t n, const char *want,
                const char *name) {
        _cleanup_free_ char *out = NULL, *err = NULL;
        size_t len;
        int k = fw_doc_add_ports(text, strlen(text), ports, n, &out, &len, &err);
        if (err)
                tap_diag(err);
        if (!tap_ok(k == 1 && out && len == strlen(out), name))
                return;
        tap_streq(out, want, name);
}

static void test_add(void) {
        const struct port_range two[] = { p6443, p2379 };
        /* firewall-offline-cmd --zone=public --add-port=6443/tcp --add-port=2379-2380/tcp writes this. */
        add(PUBLIC, two, 2,
            PUBLIC_HEAD "  <port port=\"6443\" protocol=\"tcp\"/>\n"
                        "  <port port=\"2379-2380\" protocol=\"tcp\"/>\n  <forward/>\n</zone>\n",
            "public zone: after the last <service>, as firewalld orders them");
        add("<zone>\n  <port port=\"22\" protocol=\"tcp\"/>\n  <service name=\"ssh\"/>\n</zone>\n", &pvxlan,
            1,
            "<zone>\n  <port port=\"22\" protocol=\"tcp\"/>\n  <port port=\"8472\" protocol=\"udp\"/>\n"
            "  <service name=\"ssh\"/>\n</zone>\n",
            "after the last <port>");
        add("<zone>\n\t<short>S</short>\n</zone>", &p6443, 1,
            "<zone>\n\t<short>S</short>\n\t<port port=\"6443\" protocol=\"tcp\"/>\n</zone>",
            "no port or service: before </zone>, indented as the first child, no final newline kept");
        add("<zone target=\"default\">\r\n  <service name=\"ssh\"/>\r\n</zone>\r\n", &p6443, 1,
            "<zone target=\"default\">\r\n  <service name=\"ssh\"/>\r\n  <port port=\"6443\" "
            "protocol=\"tcp\"/>\r\n"
            "</zone>\r\n",
            "CRLF line ends");
        add("<?xml version=\"1.0\"?>\n<zone/>\n", &p6443, 1,
            "<?xml version=\"1.0\"?>\n<zone>\n  <port port=\"6443\" protocol=\"tcp\"/>\n</zone>\n",
            "an empty <zone/> opened");
        add("<zone><service name=\"ssh\"/></zone>\n", &p6443, 1,
            "<zone><service name=\"ssh\"/>\n  <port port=\"6443\" protocol=\"tcp\"/>\n</zone>\n",
            "everything on one line: the ports on lines of their own before </zone>");
        add("  <zone>\n  </zone>\n", &p6443, 1,
            "  <zone>\n    <port port=\"6443\" protocol=\"tcp\"/>\n  </zone>\n",
            "no child: indented one step in from </zone>");
        add("<zone>\n  <rule family=\"ipv4\">\n    <port port=\"1\" protocol=\"tcp\"/>\n    <accept/>\n  "
            "</rule>\n"
            "</zone>\n",
            &p6443, 1,
            "<zone>\n  <rule family=\"ipv4\">\n    <port port=\"1\" protocol=\"tcp\"/>\n    <accept/>\n  "
            "</rule>\n"
            "  <port port=\"6443\" protocol=\"tcp\"/>\n</zone>\n",
            "a rich rule's <port> is no anchor");

        _cleanup_free_ char *out = NULL, *err = NULL;
        size_t len;
        tap_ok(fw_doc_add_ports(PUBLIC, strlen(PUBLIC), NULL, 0, &out, &len, &err) == 0 && !out,
               "no port to add: unchanged");
}

static void refuse(const char *text, const char *want, const char *name) {
        struct fw_doc d;
        _cleanup_free_ char *err = NULL;
        int k = fw_doc_parse(text, strlen(text), &d, &err);
        if (k >= 0)
                fw_doc_done(&d);
        tap_ok(k == -EBADMSG, name);
        tap_streq(err, want, name);
}

static void test_refuse(void) {
        refuse("<!DOCTYPE zone [<!ENTITY x \"y\">]>\n<zone/>\n",
               "line 1: a DOCTYPE or other declaration, which firewalld's files do not have", "a DOCTYPE");
        refuse("<zone>\n  <short>&x;</short>\n</zone>\n", "line 2: unknown entity reference '&x;'",
               "an entity a DTD would define");
        refuse("<zone>\n  <port port=\"1\" protocol=\"tcp\"\n", "line 2: the tag <port is not closed",
               "an unclosed tag");
        refuse("<zone>\n  <short>S</shor>\n</zone>\n", "line 2: </shor> closes no open <shor>",
               "a mismatched end tag");
        refuse("<zone>\n  <short>S</short>\n", "line 3: <zone> is not closed", "no end tag");
        refuse("<zone/>\n<zone/>\n", "line 2: a second root element", "two roots");
        refuse("x<zone/>\n", "line 1: text outside the root element", "text before the root");
        refuse("<zone>\n  <port port=6443 protocol=\"tcp\"/>\n</zone>\n",
               "line 2: the value of attribute 'port' is not quoted", "an unquoted value");
        refuse("<zone>\n  <port port=\"1\" port=\"2\"/>\n</zone>\n",
               "line 2: attribute 'port' given twice in <port>", "a duplicate attribute");
        refuse("<zone>\n  <!-- open\n</zone>\n", "line 2: a comment is not closed", "an unclosed comment");
        refuse("", "line 1: no root element", "an empty file");
        refuse("<zone>\n  <short a=\"<\"/>\n</zone>\n", "line 2: '<' in the value of attribute 'a'",
               "'<' in a value");

        struct fw_doc d;
        _cleanup_free_ char *err = NULL;
        tap_ok(fw_doc_parse("<zone>\0</zone>", 14, &d, &err) == -EBADMSG, "a NUL byte is refused");
}

static void test_read(void) {
        static const char text[] = "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                                   "<!-- kept -->\n"
                                   "<zone target='ACCEPT'>\n"
                                   "  <interface name=\"eth&#48;\"/>\n"
                                   "  <port protocol=\"tcp\" port=\"&#x31;0250\"/>\n"
                                   "  <port port=\"30000-32767\" protocol=\"tcp\"></port>\n"
                                   "  <rule><port port=\"9\" protocol=\"udp\"/></rule>\n"
                                   "  <description><![CDATA[a <b> c]]> &amp; d</description>\n"
                                   "</zone>\n";
        struct fw_doc d;
        _cleanup_free_ char *err = NULL;
        if (!tap_ok(fw_doc_parse(text, strlen(text), &d, &err) == 0,
                    "BOM, declaration, comment, CDATA read")) {
                tap_diag(err);
                return;
        }
        tap_streq(d.root.name, "zone", "root element");
        tap_streq(fw_attr_get(&d.root, "target"), "ACCEPT", "single-quoted target");
        tap_ok(d.n_children == 5, "five children (the rule's own child is not one)");
        tap_streq(fw_attr_get(&d.children[0], "name"), "eth0", "a character reference decoded");
        struct port_range *ports = NULL;
        size_t n = 0;
        tap_ok(fw_doc_ports(&d, &ports, &n, &err) == 0 && n == 2 && ports[0].first == 10250 &&
                       ports[1].first == 30000 && ports[1].last == 32767 && streq(ports[1].protocol, "tcp"),
               "the zone's ports, not the rule's");
        free(ports);
        fw_doc_done(&d);

        static const char bad[] = "<zone>\n  <port port=\"70000\" protocol=\"tcp\"/>\n</zone>\n";
        tap_ok(fw_doc_parse(bad, strlen(bad), &d, &err) == 0, "a bad port still parses as XML");
        free(err);
        err = NULL;
        tap_ok(fw_doc_ports(&d, &ports, &n, &err) == -EBADMSG, "but is no port");
        tap_streq(err, "line 2: <port port=\"70000\" protocol=\"tcp\"/> is no port or range",
                  "named with its line");
        fw_doc_done(&d);
}

static void test_conf(void) {
        static const char conf[] = "# DefaultZone=block\nDefaultZone=public\n  DefaultZone = trusted \n"
                                   "DefaultZoneX=no\nLockdown=no\n";
        _cleanup_free_ char *v = NULL, *none = NULL;
        tap_ok(firewalld_conf_get(conf, strlen(conf), "DefaultZone", &v) == 1, "DefaultZone found");
        tap_streq(v, "trusted", "the last assignment, trimmed; comments and other keys ignored");
        tap_ok(firewalld_conf_get("# nothing\n", 10, "DefaultZone", &none) == 0, "absent");
        tap_ok(firewalld_name_valid("public") && !firewalld_name_valid("../shadow") &&
                       !firewalld_name_valid("") && !firewalld_name_valid(".hidden"),
               "zone names that can be file names");
}

int main(void) {
        test_add();
        test_refuse();
        test_read();
        test_conf();
        return tap_done();
}
