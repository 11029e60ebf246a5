/* SPDX-License-Identifier: GPL-2.0 */
/* privs: what the agent keeps once it is set up. Loading and attaching the
 * programs, mounting bpffs and opening raw sockets need more than running
 * does; after them the agent keeps only CAP_BPF (the heartbeat and flow
 * verdicts are map updates) and CAP_NET_ADMIN (the inline proxy's
 * transparent upstream sockets), in every set and the bounding set, with
 * no_new_privs. Capabilities belong to threads: call it before any thread
 * starts (docs/operations.md lists what is kept and why). */
#ifndef EW_AGENT_PRIVS_H
#define EW_AGENT_PRIVS_H

/* Drops the rest. Not running with capabilities (a test as a user) is not
 * an error. Returns 0 or -errno (printed). */
int privs_drop(void);

#endif
