/* SPDX-License-Identifier: MIT */
/* firewalld's own files: the zone and service XML files it reads from /etc/firewalld and
 * /usr/lib/firewalld (a root element with a flat list of children), and firewalld.conf. No XML
 * library is linked: this reader takes what firewalld writes and well-formed XML like it, and refuses
 * what it cannot read exactly (a DOCTYPE, an unknown entity, a tag it cannot close). The editor adds
 * <port> elements and leaves every other byte as it was. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "formats/node-spec.h"

struct fw_attr {
        char *name;
        char *value; /* entities decoded */
};

/* An element: the root, or one of its children (their own children are skipped). */
struct fw_element {
        char *name;
        struct fw_attr *attrs;
        size_t n_attrs;
        unsigned line;
        size_t start, end; /* offsets of its '<' and just past its '/>' or end tag */
};

struct fw_doc {
        struct fw_element root;
        struct fw_element *children;
        size_t n_children;
        size_t close; /* the root's end tag's '<'; for an empty root (<zone/>), its '/>' */
        bool empty;   /* <zone/> */
};

/* Parse a zone or service file. 0, or -EBADMSG with "line N: reason" in *ret_error. */
int fw_doc_parse(const char *text, size_t len, struct fw_doc *ret, char **ret_error);
void fw_doc_done(struct fw_doc *d);
/* An attribute's decoded value, or NULL. */
const char *fw_attr_get(const struct fw_element *e, const char *name);

/* The ports of the root's <port port="P" protocol="X"/> children. A port firewalld would refuse is
 * -EBADMSG with "line N: ..." in *ret_error. */
int fw_doc_ports(const struct fw_doc *d, struct port_range **ret, size_t *ret_n, char **ret_error);

/* Add one <port port="P" protocol="X"/> line per range, after the root's last <port> child (else its
 * last <service>, else before its end tag), indented as the children are, with the text's line ends.
 * 0 when n is 0, else 1 with the new text (*ret_text NUL-terminated), or <0 refused. */
int fw_doc_add_ports(const char *text, size_t len, const struct port_range *ports, size_t n, char **ret_text,
                     size_t *ret_len, char **ret_error);

/* A KEY=VALUE of firewalld.conf (DefaultZone), as firewalld reads it: the last assignment, trimmed.
 * 1 found (*ret), 0 not. */
int firewalld_conf_get(const char *text, size_t len, const char *key, char **ret);

/* Whether a zone or service name can be a file name in firewalld's directories. */
bool firewalld_name_valid(const char *name);
