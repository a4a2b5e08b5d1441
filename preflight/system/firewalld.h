/* SPDX-License-Identifier: MIT */
/* firewalld over D-Bus: the one call kubeprep makes, a reload, so the permanent zone files it
 * edited become the running configuration (as `firewall-cmd --reload`). */
#pragma once

/* org.fedoraproject.FirewallD1.reload on the system bus. Runtime-only changes are dropped, as with
 * `firewall-cmd --reload`. 0, or <0 with *ret_error. */
int firewalld_reload(char **ret_error);
