/* Generic netlink multicast groups, asked of the kernel: the controller's
 * own "notify" group is always there, and unknown names are ENOENT. */
#include <errno.h>
#include <unistd.h>

#include "genl.h"
#include "nl.h"
#include "tap.h"

int main(void)
{
	int fd = nl_open(NETLINK_GENERIC);
	int id, sub;

	if (!tap_ok(fd >= 0, "a generic netlink socket"))
		return tap_done();
	id = genl_group_id(fd, "nlctrl", "notify", 2000);
	tap_is_int(id, GENL_ID_CTRL, "nlctrl's notify group has the controller's id");
	errno = 0;
	tap_is_int(genl_group_id(fd, "nlctrl", "no-such-group", 2000), -1, "an unknown group: -1");
	tap_is_int(errno, ENOENT, "an unknown group: ENOENT");
	errno = 0;
	tap_is_int(genl_group_id(fd, "no-such-family", "notify", 2000), -1, "an unknown family: -1");
	tap_is_int(errno, ENOENT, "an unknown family: ENOENT");
	sub = genl_subscribe("nlctrl", "notify", 2000);
	tap_ok(sub >= 0, "subscribing to nlctrl's notify group");
	if (sub >= 0)
		close(sub);
	close(fd);
	return tap_done();
}
