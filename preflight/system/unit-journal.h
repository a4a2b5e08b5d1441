/* SPDX-License-Identifier: MIT */
/* The last thing a unit's own processes wrote to the journal: after a failed
 * restart, the reason (e.g. dockerd rejecting daemon.json) is usually there. */
#pragma once

/* The MESSAGE of the newest journal entry of the unit's processes
 * (_SYSTEMD_UNIT=unit) since `since_usec` (CLOCK_REALTIME). 1 found
 * (*ret_message), 0 none, <0 the journal could not be read. */
int unit_last_message(const char *unit, unsigned long long since_usec, char **ret_message);
