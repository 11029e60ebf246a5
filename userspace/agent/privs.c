// SPDX-License-Identifier: GPL-2.0
/* privs: drops every capability but CAP_BPF and CAP_NET_ADMIN (libcap-ng). */
#include <cap-ng.h>
#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/prctl.h>

#include "log/log.h"
#include "privs.h"

int privs_drop(void)
{
	int rc;

	if (capng_have_capabilities(CAPNG_SELECT_CAPS) == CAPNG_NONE)
		return 0;
	capng_clear(CAPNG_SELECT_BOTH);
	rc = capng_updatev(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET,
			   CAP_BPF, CAP_NET_ADMIN, -1);
	if (!rc)
		rc = capng_apply(CAPNG_SELECT_BOTH);
	if (!rc && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		rc = -errno;
	if (rc) {
		ew_err("couldn't drop capabilities: %s", rc < -1 ? strerror(-rc) : "capng failed");
		return -EPERM;
	}
	return 0;
}
